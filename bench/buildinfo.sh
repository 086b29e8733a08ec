#!/usr/bin/env bash
# Benchmark (not a test): the pure-Java Go build info reader against `go version -m`.
#
#   bench/buildinfo.sh            # ROUNDS=20 by default; GO=/usr/local/go/bin/go
#
# Builds once, under target/bench-buildinfo: a Go program embedding a 50 MiB random blob (a
# binary of more than 50 MB) and a directory of 100 small binaries (25 copies each of
# linux/amd64, linux/arm64, windows/amd64, darwin/arm64), plus a tar.gz of that directory.
# Then times, per scan of the same path:
#   go      one `go version -m <path>` process
#   warm    BuildInfoBench in one JVM after warm-up (the cost inside a long-running Maven build)
#   cold    one `java BuildInfoBench` process per scan, JVM start-up included
# and prints go/ours ratios (> 1 means ours is faster). The big binary is also read by a JVM
# limited to a 32 MiB heap, showing the reader does not load the file.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$ROOT/target/bench-buildinfo}
GO=${GO:-/usr/local/go/bin/go}
ROUNDS=${ROUNDS:-20}
export GOENV=off GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=0

[ -x "$GO" ] || { echo "missing $GO: install Go (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p "$WORK"

if [ ! -f "$WORK/big" ]; then
  echo "building the big binary..." >&2
  src="$WORK/big-src"
  mkdir -p "$src"
  head -c $((50 * 1024 * 1024)) /dev/urandom > "$src/blob.bin"
  printf 'module example.com/big\n\ngo 1.21\n' > "$src/go.mod"
  cat > "$src/main.go" <<'GO'
package main

import _ "embed"

//go:embed blob.bin
var blob []byte

func main() { println(len(blob)) }
GO
  (cd "$src" && "$GO" build -o "$WORK/big" .)
fi

if [ ! -d "$WORK/many" ]; then
  echo "building 100 small binaries..." >&2
  src="$WORK/small-src"
  mkdir -p "$src" "$WORK/many.tmp"
  printf 'module example.com/small\n\ngo 1.21\n' > "$src/go.mod"
  printf 'package main\n\nfunc main() { println("hi") }\n' > "$src/main.go"
  for target in linux/amd64 linux/arm64 windows/amd64 darwin/arm64; do
    os=${target%/*} arch=${target#*/}
    (cd "$src" && GOOS=$os GOARCH=$arch "$GO" build -o "$WORK/small-$os-$arch" .)
    for i in $(seq -w 1 25); do cp "$WORK/small-$os-$arch" "$WORK/many.tmp/$os-$arch-$i"; done
  done
  mv "$WORK/many.tmp" "$WORK/many"
  tar -czf "$WORK/many.tar.gz" -C "$WORK" many
fi

(cd "$ROOT" && mvn -B -q -pl core test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
CP="$ROOT/core/target/classes:$ROOT/core/target/test-classes:$(cat "$WORK/cp.txt")"
BENCH=dev.rebuild.core.buildinfo.BuildInfoBench

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.2f", (b - a) / 1e6 / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

go_ms() {
  local start end
  start=$(now)
  for _ in $(seq "$ROUNDS"); do "$GO" version -m "$1" > /dev/null; done
  end=$(now)
  ms "$start" "$end" "$ROUNDS"
}

warm_ms() {
  java -cp "$CP" -Dbench.warmup="$ROUNDS" -Dbench.rounds="$ROUNDS" "$BENCH" "$1" | sed -n 's/.*ms_per_scan=//p'
}

cold_ms() {
  local start end
  start=$(now)
  for _ in $(seq "$ROUNDS"); do
    java -cp "$CP" -Dbench.warmup=0 -Dbench.rounds=1 "$BENCH" "$1" > /dev/null
  done
  end=$(now)
  ms "$start" "$end" "$ROUNDS"
}

report() {
  local label=$1 path=$2 g w c
  g=$(go_ms "$path")
  w=$(warm_ms "$path")
  c=$(cold_ms "$path")
  printf '%-28s go %9s ms | ours warm %8s ms (go/ours %6s) | ours cold %8s ms (go/ours %5s)\n' \
    "$label" "$g" "$w" "$(ratio "$g" "$w")" "$c" "$(ratio "$g" "$c")"
}

echo "rounds per measurement: $ROUNDS; $("$GO" version); $(java -version 2>&1 | head -1)"
echo "big binary: $(stat -c %s "$WORK/big") bytes; directory: $(ls "$WORK/many" | wc -l) binaries"
report "big binary (>50 MB)" "$WORK/big"
report "directory, 100 binaries" "$WORK/many"

w=$(warm_ms "$WORK/many.tar.gz")
echo "many.tar.gz (100 members)    go cannot read archives | ours warm $w ms"

echo "32 MiB heap, big binary: $(java -Xmx32m -cp "$CP" -Dbench.warmup=0 -Dbench.rounds=1 \
  "$BENCH" "$WORK/big")"
