#!/usr/bin/env bash
# Time to rebuild (replace strategy) and push a two-platform image, against `skopeo copy --all`
# of the same image into the same local registry; prints both medians and their ratio.
#   RUNS=5 BASE_MB=32 bench/image.sh      (BENCH_TRACE=1 prints the rebuild's progress with times)
# Needs docker-registry, skopeo, Go 1.21 at /usr/lib/go-1.21 and Go at /usr/local/go.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-5}"
BASE_MB="${BASE_MB:-32}"
mvn -B -q -pl core test-compile
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl core org.apache.maven.plugins:maven-dependency-plugin:2.8:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
java -cp "core/target/classes:core/target/test-classes:$(cat "$cp_file")" \
  dev.rebuild.core.image.ImageBench "$RUNS" "$BASE_MB"
