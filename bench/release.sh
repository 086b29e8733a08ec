#!/usr/bin/env bash
# Benchmark of rebuild:release against the hand-run baseline NSQ's dist.sh stands for: a shell
# loop of `go build`, one invocation per command per platform, over the same matrix
# (4 commands x 6 platforms), cold (a fresh GOCACHE each) and warm. Prints wall times and ratios.
#
#   mvn -B -q install -DskipTests      # once: installs the plugin
#   bench/release.sh [go-version]      # default: the go on PATH
#
# Not a test: it asserts nothing; it prints figures for the issue notes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
go_cmd="${GO:-$(command -v go)}"
go_version="${1:-$("$go_cmd" env GOVERSION)}"
goroot="$("$go_cmd" env GOROOT)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
platforms="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 freebsd/amd64 windows/amd64"
commands="server client admin stats"

# The fixture release: four commands that pull in a realistic share of the standard library.
repo="$work/repo"
mkdir -p "$repo"
printf 'module example.com/bench\n\ngo 1.21\n' > "$repo/go.mod"
for c in $commands; do
  mkdir -p "$repo/cmd/$c"
  cat > "$repo/cmd/$c/main.go" <<GO
package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"text/template"
)

var version = "dev"

func main() {
	_ = &http.Server{TLSConfig: &tls.Config{}}
	_ = template.Must(template.New("$c").Parse("{{.}}"))
	b, _ := json.Marshal(map[string]string{"cmd": "$c", "version": version})
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
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>bench</artifactId><version>1</version><packaging>pom</packaging>
  <build><plugins><plugin>
    <groupId>dev.rebuild</groupId><artifactId>rebuild-maven-plugin</artifactId><version>0.1.0-SNAPSHOT</version>
    <configuration>
      <source>repo</source>
      <targets>${platforms// /,}</targets>
      <packages>./cmd/...</packages>
      <ldflags>-s -w -X main.version={version}</ldflags>
      <env><CGO_ENABLED>0</CGO_ENABLED></env>
      <goroot>$goroot</goroot>
      <vulndb>$root/core/src/test/resources/vulndb-fixture</vulndb>
      <failOn>none</failOn>
    </configuration>
  </plugin></plugins></build>
</project>
POM

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

baseline() { # the dist.sh way: one go build per command per platform
  local out="$work/baseline"
  rm -rf "$out"
  for p in $platforms; do
    for c in $commands; do
      (cd "$repo" && GOTOOLCHAIN=local CGO_ENABLED=0 GOOS="${p%/*}" GOARCH="${p#*/}" \
        "$go_cmd" build -ldflags "-s -w -X main.version=1.0.0" -o "$out/$p/$c" "./cmd/$c")
    done
  done
}
rebuild() {
  (cd "$work" && mvn -B -q -o rebuild:release -Dtag=v1.0.0 -Dgo="$go_version" > "$work/rebuild.log" 2>&1) || { cat "$work/rebuild.log"; exit 1; }
}
mvn_startup() {
  (cd "$work" && mvn -B -q -o rebuild:help >/dev/null)
}

export GOCACHE
echo "Go $go_version ($goroot); $(nproc) cores; matrix: 4 commands x 6 platforms"

GOCACHE="$work/cache-baseline"; t=$(now); baseline; base_cold=$(elapsed "$t")
GOCACHE="$work/cache-rebuild"; t=$(now); rebuild; ours_cold=$(elapsed "$t")
GOCACHE="$work/cache-baseline"; t=$(now); baseline; base_warm=$(elapsed "$t")
GOCACHE="$work/cache-rebuild"; t=$(now); rebuild; ours_warm=$(elapsed "$t")
t=$(now); mvn_startup; startup=$(elapsed "$t")

printf 'cold: go build loop %6.1f s   rebuild:release %6.1f s   ratio %.2fx (target < 1.0x)\n' \
  "$base_cold" "$ours_cold" "$(calc "$ours_cold / $base_cold")"
printf 'warm: go build loop %6.1f s   rebuild:release %6.1f s   ratio %.2fx\n' \
  "$base_warm" "$ours_warm" "$(calc "$ours_warm / $base_warm")"
printf 'warm: time beyond the go build loop %.1f s; Maven start-up alone (rebuild:help) %.1f s; budget start-up + 1 s = %.1f s\n' \
  "$(calc "$ours_warm - $base_warm")" "$startup" "$(calc "$startup + 1")"
