package dev.rebuild.core.verify;

import dev.rebuild.core.testing.GoFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Real binaries for the verify tests, built once per JVM with the pinned Go 1.21 ({@link
 * GoFixtures#GO_1_21}, go1.21.13: the fixture database has standard library vulnerabilities open at
 * it):
 *
 * <pre>
 * dist/
 *   README.md                             not a Go binary
 *   broken                                the first 40 bytes of an ELF binary: corrupt
 *   demo-linux-amd64.tar.gz               demo/bin/hello (linux/amd64, from a git repository,
 *                                         vcs.revision = {@link #revision}), demo/README.md
 *   replaced-windows-amd64.exe            example.com/replaced for windows/amd64; requires
 *                                         golang.org/x/text v0.3.7 (open to GO-2022-1059) but
 *                                         replaces it with a local directory
 * </pre>
 */
final class VerifyFixtures {

  private static VerifyFixtures instance;

  final Path root;
  final Path dist;
  final Path hello;
  final Path replaced;
  final String revision;

  static synchronized VerifyFixtures get() {
    if (instance == null) {
      try {
        instance = new VerifyFixtures();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  private VerifyFixtures() throws IOException {
    Path goroot = GoFixtures.requireGo(GoFixtures.GO_1_21);
    // The machine Go's go version -m is the independent reader the tests compare against.
    GoFixtures.machineGo();
    root = Files.createTempDirectory("rebuild-verify-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
    Path repo = root.resolve("demo");
    GoFixtures.demoRepository(repo);
    revision = GoFixtures.git(repo, "rev-parse", "HEAD").strip();
    hello = root.resolve("bin/hello");
    go(goroot, repo, "linux", "amd64", "build", "-o", hello.toString(), "./cmd/hello");

    Path app = root.resolve("replaced");
    Files.createDirectories(app.resolve("text"));
    Files.writeString(
        app.resolve("go.mod"),
        "module example.com/replaced\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.7\n\n"
            + "replace golang.org/x/text => ./text\n");
    Files.writeString(
        app.resolve("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"golang.org/x/text\"\n)\n\n"
            + "func main() { fmt.Println(text.Name) }\n");
    Files.writeString(app.resolve("text/go.mod"), "module golang.org/x/text\n\ngo 1.21\n");
    Files.writeString(app.resolve("text/text.go"), "package text\n\nconst Name = \"local\"\n");
    replaced = root.resolve("bin/replaced.exe");
    go(goroot, app, "windows", "amd64", "build", "-o", replaced.toString(), ".");

    dist = root.resolve("dist");
    Files.createDirectories(dist);
    Files.writeString(dist.resolve("README.md"), "# demo\n");
    Files.write(dist.resolve("broken"), Arrays.copyOf(Files.readAllBytes(hello), 40));
    Files.copy(replaced, dist.resolve("replaced-windows-amd64.exe"));
    tarGz(
        dist.resolve("demo-linux-amd64.tar.gz"),
        Map.of(
            "demo/bin/hello", Files.readAllBytes(hello), "demo/README.md", "# demo\n".getBytes()));
  }

  /** The fixture database of the vuln tests, from the classpath. */
  static Path vulndb() {
    try {
      return Path.of(VerifyFixtures.class.getResource("/vulndb-fixture/index/modules.json").toURI())
          .getParent()
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String goVersionM(Path binary, String... flags) {
    Map<String, String> env = new HashMap<>();
    env.put("GOTOOLCHAIN", "local");
    String[] cmd = new String[3 + flags.length + 1];
    cmd[0] = GoFixtures.machineGo().resolve("bin/go").toString();
    cmd[1] = "version";
    cmd[2] = "-m";
    System.arraycopy(flags, 0, cmd, 3, flags.length);
    cmd[cmd.length - 1] = binary.toString();
    return GoFixtures.run(binary.getParent(), env, cmd);
  }

  private static void go(Path goroot, Path dir, String goos, String goarch, String... args) {
    Map<String, String> env = new HashMap<>();
    env.put("GOROOT", goroot.toString());
    env.put("GOOS", goos);
    env.put("GOARCH", goarch);
    env.put("CGO_ENABLED", "0");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "-mod=mod");
    env.put("GOPROXY", "off");
    String[] cmd = new String[args.length + 1];
    cmd[0] = goroot.resolve("bin/go").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    GoFixtures.run(dir, env, cmd);
  }

  private static void tarGz(Path target, Map<String, byte[]> members) throws IOException {
    try (OutputStream out = Files.newOutputStream(target);
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      for (String name : members.keySet().stream().sorted().toList()) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(members.get(name).length);
        e.setMode(name.contains("/bin/") ? 0755 : 0644);
        tar.putArchiveEntry(e);
        tar.write(members.get(name));
        tar.closeArchiveEntry();
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
