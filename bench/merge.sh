#!/usr/bin/env bash
# Benchmark (not a test): how long rebuild:merge takes beyond the work it cannot avoid.
#
#   bench/merge.sh                  # RUNS=5 by default; GO=go (the go on PATH) builds the parts
#   BENCH_TRACE=1 bench/merge.sh    # also prints each merge's steps with their times
#   MVN_ARGS="-o -Dmaven.repo.local=/path/to/repo" bench/merge.sh   # extra mvn arguments
#
# Builds once, under target/bench-merge (BENCH_WORK; delete it to build anew): an NSQ-size
# release, a git repository tagged v1.0.0 with NSQ's 9 commands (apps/*, each pulling in net/http,
# crypto/tls, encoding/json, text/template) for 6 platforms, as 3 parts of 2 platforms each
# (ReleasePipeline.part, real `go build`: 54 binaries). Then MergeBench times, in one JVM after a
# warm-up round, alternating:
#   merge      ReleasePipeline.merge of the 3 parts into a fresh output root (no verification, no
#              images, skipPublish): check every part file, copy, commit
#   checksums  the sha256 of every file the parts' part.json list, alone: the floor of a merge
#              that trusts no part
# and prints both medians, the difference (budget 1 s) and the ratio merge/checksums.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$ROOT/target/bench-merge}
GO=${GO:-go}
RUNS=${RUNS:-5}
read -r -a mvn_args <<< "${MVN_ARGS:-}"

command -v "$GO" > /dev/null || { echo "missing $GO: install Go (https://go.dev/dl/)" >&2; exit 1; }
goroot=$(GOTOOLCHAIN=local "$GO" env GOROOT)
mkdir -p "$WORK"

repo="$WORK/repo"
if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo"
  mkdir -p "$repo"
  printf 'module github.com/example/nsq\n\ngo 1.21\n' > "$repo/go.mod"
  for app in nsqd nsqlookupd nsqadmin nsq_to_file nsq_to_http nsq_to_nsq nsq_tail nsq_stat to_nsq; do
    mkdir -p "$repo/apps/$app"
    cat > "$repo/apps/$app/main.go" <<GO
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"text/template"
)

var version = "dev"

func main() {
	addr := flag.String("http-address", "127.0.0.1:4151", "listen address")
	flag.Parse()
	_ = &http.Server{Addr: *addr, TLSConfig: &tls.Config{}}
	_ = template.Must(template.New("$app").Parse("{{.}}"))
	b, _ := json.Marshal(map[string]string{"app": "$app", "version": version})
	fmt.Fprintln(os.Stdout, string(b))
}
GO
  done
  (
    cd "$repo"
    export GIT_AUTHOR_DATE=2024-03-01T12:00:00Z GIT_COMMITTER_DATE=2024-03-01T12:00:00Z
    git -c user.name=B -c user.email=b@example.com init -q -b main
    git add -A
    git -c user.name=B -c user.email=b@example.com commit -q -m bench
    git tag v1.0.0
  )
fi

(cd "$ROOT" && mvn -B -q "${mvn_args[@]}" -pl core test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test > /dev/null)
CP="$ROOT/core/target/classes:$ROOT/core/target/test-classes:$(cat "$WORK/cp.txt")"

echo "$(nproc) cores; $(java -version 2>&1 | head -1); work: $WORK"
java -cp "$CP" dev.rebuild.core.pipeline.MergeBench "$repo" "$WORK" "$goroot" "$RUNS"
