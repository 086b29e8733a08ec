#!/usr/bin/env bash
# Turns src/ into a small git repository with a release tag, as a Go project's own repository
# would be: target/demo-repo (or the directory given as $1), tag v1.0.0, plus one commit after the tag that a rebuild of v1.0.0
# must not contain. Dates are fixed so every run makes the same commits.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="${1:-$here/target/demo-repo}"
rm -rf "$repo"
mkdir -p "$repo"
cp -R "$here/src/." "$repo/"
cd "$repo"
export GIT_AUTHOR_DATE=2024-03-01T12:00:00Z GIT_COMMITTER_DATE=2024-03-01T12:00:00Z
g() { git -c user.name=Demo -c user.email=demo@example.com -c commit.gpgsign=false -c tag.gpgsign=false "$@"; }
g init -q -b main
g add -A
g commit -q -m "demo 1.0.0"
g tag -a v1.0.0 -m "release 1.0.0"
echo "// Work after the release." >> cmd/hello/main.go
GIT_COMMITTER_DATE=2024-03-02T12:00:00Z g commit -q -am "work after the release"
echo "demo release: $repo (tag v1.0.0 = $(git rev-parse v1.0.0^{commit}))"
