#!/usr/bin/env bash
# The demo project's own release script, the kind Go projects ship (NSQ's dist.sh): checks the
# tag out, builds every command for every platform with the `go` it is given, and packs
# demo-<version>.<os>-<arch>.go<go version>.tar.gz (zip on windows) into OUTDIR.
# The integration tests use it to make the "original release" that a rebuild is compared with.
#
#   GO=~/sdk/go1.21.13/bin/go dist.sh REPO TAG OUTDIR [PLATFORMS]
#
# Needs git, tar and, for windows zips, python3 or (JAVA_HOME's) jar.
set -euo pipefail
repo="$(cd "$1" && pwd)"; tag="$2"; mkdir -p "$3"; out="$(cd "$3" && pwd)"
platforms="${4:-linux/amd64 linux/arm64 darwin/arm64 windows/amd64}"
go="${GO:-go}"
# The go env file of the machine must not change how the original is built.
export GOENV=off GOFLAGS=
goversion="$(GOTOOLCHAIN=local "$go" env GOVERSION)"
version="${tag#v}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/src"
git -C "$work/src" -c advice.detachedHead=false checkout -q "$tag"
mtime="$(git -C "$work/src" show -s --format=%ct HEAD)"
for p in $platforms; do
  os="${p%/*}"; arch="${p#*/}"
  name="demo-$version.$os-$arch.$goversion"
  mkdir -p "$work/stage/$name/bin"
  (cd "$work/src" && GOTOOLCHAIN=local CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" \
    "$go" build -ldflags "-s -w -X main.version=$version" -o "$work/stage/$name/bin/" ./cmd/...)
  if [ "$os" = windows ]; then
    if python3 -c '' 2>/dev/null; then
      (cd "$work/stage" && python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in sorted(os.walk(sys.argv[2])):
        for f in sorted(files):
            z.write(os.path.join(root, f))' "$out/$name.zip" "$name")
    else
      # No Python (a machine with only Java, git and Go): the JDK's jar writes a plain zip.
      (cd "$work/stage" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" --create --no-manifest \
        --file "$out/$name.zip" "$name")
    fi
  else
    tar -C "$work/stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
      -czf "$out/$name.tar.gz" "$name"
  fi
done
echo "original release of $tag built with $goversion in $out"
