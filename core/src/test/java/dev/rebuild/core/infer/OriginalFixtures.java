package dev.rebuild.core.infer;

import static dev.rebuild.core.testing.GoFixtures.git;
import static dev.rebuild.core.testing.GoFixtures.run;

import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Original releases built the way projects build them, by tools and scripts this project did not
 * write the recipe for: GoReleaser v2 with its defaults, and a {@code dist.sh} loop like NSQ's.
 */
public final class OriginalFixtures {

  private OriginalFixtures() {}

  /** The environment an old release was built in: that Go first on PATH, no go env file. */
  public static Map<String, String> releaseEnv(Path goroot) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", goroot.resolve("bin") + ":" + System.getenv("PATH"));
    env.put("GOENV", "off");
    env.put("GOFLAGS", "");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOROOT", goroot.toString());
    return env;
  }

  /**
   * {@code example.com/kestrel} at tag {@code v2.4.1}: one main package, {@code cmd/kestrel-cli},
   * that prints the values GoReleaser's default {@code -ldflags} set (GoReleaser names its binary
   * after the project, {@code kestrel}), a LICENSE and a README.
   */
  public static String kestrel(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("cmd/kestrel-cli"));
    Files.writeString(dir.resolve("go.mod"), "module example.com/kestrel\n\ngo 1.21\n");
    Files.writeString(
        dir.resolve("cmd/kestrel-cli/main.go"),
        "package main\n\nimport \"fmt\"\n\nvar (\n\tversion = \"dev\"\n\tcommit  = \"none\"\n"
            + "\tdate    = \"unknown\"\n\tbuiltBy = \"unknown\"\n)\n\n"
            + "func main() { fmt.Println(\"kestrel\", version, commit, date, builtBy) }\n");
    Files.writeString(dir.resolve("LICENSE"), "MIT License\n\nCopyright kestrel authors\n");
    Files.writeString(dir.resolve("README.md"), "# kestrel\n");
    Files.writeString(dir.resolve(".gitignore"), "dist/\n");
    // GoReleaser's own defaults but for the target list (kept short: two cores build this suite).
    Files.writeString(
        dir.resolve(".goreleaser.yaml"),
        "version: 2\n"
            + "builds:\n"
            + "  - main: ./cmd/kestrel-cli\n"
            + "    env:\n"
            + "      - CGO_ENABLED=0\n"
            + "    goos: [linux, windows]\n"
            + "    goarch: [amd64, arm]\n"
            + "    goarm: [\"7\"]\n"
            + "archives:\n"
            + "  - format_overrides:\n"
            + "      - goos: windows\n"
            + "        formats: [zip]\n");
    git(dir, "init", "-q", "-b", "main");
    // GoReleaser reads the release's repository from the remote; nothing is fetched from it.
    git(dir, "remote", "add", "origin", "https://github.com/example/kestrel.git");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "kestrel 2.4.1");
    git(dir, "tag", "-a", "v2.4.1", "-m", "kestrel 2.4.1");
    return git(dir, "rev-parse", "HEAD").trim();
  }

  /**
   * Runs GoReleaser (the pinned v2) in {@code repo} with {@code goroot}'s Go and copies what a
   * release page holds (the archives and the checksums) into {@code release}.
   */
  public static void goreleaser(Path repo, Path goroot, Path release) throws IOException {
    Path goreleaser = TestTools.tool("goreleaser");
    run(
        repo,
        releaseEnv(goroot),
        goreleaser.toString(),
        "release",
        "--skip=publish,validate,announce",
        "--clean");
    Files.createDirectories(release);
    try (Stream<Path> files = Files.list(repo.resolve("dist"))) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tar.gz") || name.endsWith(".zip") || name.endsWith("checksums.txt")) {
          Files.copy(f, release.resolve(name));
        }
      }
    }
  }

  /**
   * {@code example.com/nsq} at tag {@code v1.3.0} with two commands under {@code apps/}, a {@code
   * dist.sh} in NSQ's style, and a LICENSE the script ships with mode 0640.
   */
  public static String nsq(Path dir) throws IOException {
    for (String app : List.of("nsqd", "nsqlookupd")) {
      Files.createDirectories(dir.resolve("apps").resolve(app));
      Files.writeString(
          dir.resolve("apps").resolve(app).resolve("main.go"),
          "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/nsq/internal/version\"\n)\n\n"
              + "func main() { fmt.Println(\""
              + app
              + "\", version.Binary) }\n");
    }
    Files.createDirectories(dir.resolve("internal/version"));
    Files.writeString(
        dir.resolve("internal/version/version.go"), "package version\n\nvar Binary = \"dev\"\n");
    Files.writeString(dir.resolve("go.mod"), "module example.com/nsq\n\ngo 1.21\n");
    Files.writeString(dir.resolve("LICENSE"), "Copyright nsq authors\n");
    Files.writeString(
        dir.resolve("dist.sh"),
        String.join(
            "\n",
            "#!/bin/bash",
            "# Like NSQ's dist.sh: one tarball per platform, binaries under <name>/bin.",
            "set -e",
            "FLAGS=\"$1\"",
            "version=$(git describe --tags | sed 's/^v//')",
            "goversion=$(go version | awk '{print $3}' | sed 's/^go//')",
            "rm -rf build dist && mkdir -p dist",
            "for target in ${TARGETS:-linux/amd64 linux/arm64 darwin/arm64}; do",
            "  os=${target%/*}; arch=${target#*/}",
            "  name=nsq-$version.$os-$arch.go$goversion",
            "  mkdir -p build/$name/bin",
            "  GOOS=$os GOARCH=$arch go build $FLAGS -o build/$name/bin/ \\",
            "    -ldflags \"-X example.com/nsq/internal/version.Binary=$version\" ./apps/...",
            "  install -m 0640 LICENSE build/$name/LICENSE",
            "  tar -C build -czf dist/$name.tar.gz $name",
            "done",
            ""));
    Files.setPosixFilePermissions(
        dir.resolve("dist.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve(".gitignore"), "build/\ndist/\n");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "nsq 1.3.0");
    git(dir, "tag", "-a", "v1.3.0", "-m", "nsq 1.3.0");
    return git(dir, "rev-parse", "HEAD").trim();
  }

  /** Runs {@code dist.sh} with {@code goroot}'s Go and moves its tarballs into {@code release}. */
  public static void distSh(Path repo, Path goroot, Path release, String flags) throws IOException {
    distSh(repo, goroot, release, flags, "linux/amd64 linux/arm64 darwin/arm64");
  }

  /** As above, for {@code targets} (space-separated GOOS/GOARCH). */
  public static void distSh(Path repo, Path goroot, Path release, String flags, String targets)
      throws IOException {
    Map<String, String> env = new HashMap<>(releaseEnv(goroot));
    env.put("TARGETS", targets);
    run(repo, env, "bash", "dist.sh", flags);
    Files.createDirectories(release);
    try (Stream<Path> files = Files.list(repo.resolve("dist"))) {
      for (Path f : files.toList()) {
        Files.move(f, release.resolve(f.getFileName()));
      }
    }
  }
}
