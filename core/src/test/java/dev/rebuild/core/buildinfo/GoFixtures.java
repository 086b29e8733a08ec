package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Real Go binaries for the tests, built once per JVM: a module in a git repository with two main
 * packages and a dependency replaced by a local module, for many platforms, with the machine's Go
 * (the {@code go} on PATH, labelled "go1.26"), the pinned Go 1.21 ({@link TestTools#go}) and Go
 * 1.17.13 (fetched through the Go module proxy as {@code GOTOOLCHAIN=go1.17.13}, the last layout
 * with pointers), stripped and not. {@code go version -m -json} of the machine's Go is the
 * independent reader the tests compare against.
 */
final class GoFixtures {
  /** The machine's go command (the {@code go} on PATH). */
  static final Path GO = TestTools.machineGoCommand();

  static final String GO117 = "go1.17.13";

  /** One built binary and how it was built. */
  record Built(Path file, String toolchain, String goos, String goarch, boolean stripped) {
    String label() {
      return toolchain + " " + goos + "/" + goarch + (stripped ? " stripped" : "");
    }
  }

  private static GoFixtures instance;

  final Path root;
  final Path repo;
  final String revision;
  final List<Built> binaries = new ArrayList<>();
  private final ProcessRunner runner = new CommonsExecProcessRunner();

  static synchronized GoFixtures get() {
    if (instance == null) {
      try {
        instance = new GoFixtures();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  private GoFixtures() throws IOException {
    requireTool(GO, "install Go from https://go.dev/dl/ and put its bin directory on PATH");
    Path go121 = TestTools.goCommand(TestTools.GO_1_21);
    root = Files.createTempDirectory("rebuild-buildinfo-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
    repo = root.resolve("app");
    writeSources();
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git(
        "-c",
        "user.name=Rebuild Test",
        "-c",
        "user.email=test@rebuild.dev",
        "commit",
        "-q",
        "-m",
        "app");
    revision = git("rev-parse", "HEAD").stdout().strip();

    for (String[] t :
        List.of(
            new String[] {"linux", "amd64"},
            new String[] {"linux", "386"},
            new String[] {"linux", "arm64"},
            new String[] {"linux", "ppc64"},
            new String[] {"windows", "amd64"},
            new String[] {"windows", "386"},
            new String[] {"darwin", "arm64"},
            new String[] {"darwin", "amd64"})) {
      build(GO.toString(), "local", "go1.26", t[0], t[1], false, "./cmd/hello");
    }
    build(GO.toString(), "local", "go1.26", "linux", "amd64", true, "./cmd/hello");
    build(GO.toString(), "local", "go1.26", "windows", "amd64", true, "./cmd/hello");
    build(GO.toString(), "local", "go1.26", "darwin", "arm64", true, "./cmd/hello");
    build(GO.toString(), "local", "go1.26", "linux", "amd64", false, "./cmd/other");

    for (String[] t :
        List.of(
            new String[] {"linux", "amd64"},
            new String[] {"linux", "ppc64"},
            new String[] {"windows", "386"},
            new String[] {"darwin", "arm64"})) {
      build(go121.toString(), "local", "go1.21", t[0], t[1], false, "./cmd/hello");
    }
    build(go121.toString(), "local", "go1.21", "linux", "amd64", true, "./cmd/hello");

    ExecResult probe = go(GO.toString(), GO117, Map.of(), root, "version");
    if (!probe.ok()) {
      fail(
          "GOTOOLCHAIN="
              + GO117
              + " go version failed; the Go module proxy must be reachable (GOPROXY) to fetch"
              + " golang.org/toolchain:\n"
              + probe.tail(10));
    }
    for (String[] t :
        List.of(
            new String[] {"linux", "amd64"},
            new String[] {"linux", "mips"},
            new String[] {"linux", "ppc64"},
            new String[] {"windows", "386"},
            new String[] {"darwin", "amd64"})) {
      build(GO.toString(), GO117, "go1.17", t[0], t[1], false, "./cmd/hello");
    }
    build(GO.toString(), GO117, "go1.17", "linux", "amd64", true, "./cmd/hello");
  }

  private void writeSources() throws IOException {
    Path greet = root.resolve("greet");
    write(greet.resolve("go.mod"), "module example.com/greet\n\ngo 1.17\n");
    write(greet.resolve("greet.go"), "package greet\n\nfunc Hello() string { return \"hello\" }\n");
    write(
        repo.resolve("go.mod"),
        "module example.com/app\n\ngo 1.17\n\nrequire example.com/greet v0.1.0\n\n"
            + "replace example.com/greet v0.1.0 => ../greet\n");
    write(
        repo.resolve("cmd/hello/main.go"),
        "package main\n\nimport \"example.com/greet\"\n\nvar version = \"dev\"\n\n"
            + "func main() { println(greet.Hello(), version) }\n");
    write(
        repo.resolve("cmd/other/main.go"), "package main\n\nfunc main() { println(\"other\") }\n");
  }

  private void build(
      String go,
      String toolchain,
      String label,
      String goos,
      String goarch,
      boolean stripped,
      String pkg)
      throws IOException {
    String name =
        label
            + "-"
            + goos
            + "-"
            + goarch
            + (stripped ? "-stripped" : "")
            + "-"
            + pkg.substring(pkg.lastIndexOf('/') + 1)
            + (goos.equals("windows") ? ".exe" : "");
    Path out = root.resolve("bin").resolve(name);
    // A space and a double quote make Go quote the -ldflags value in the build information (Go
    // records -ldflags only without -trimpath).
    String ldflags = (stripped ? "-s -w " : "") + "-X 'main.version=1.0 \"q\"'";
    Map<String, String> env = new HashMap<>();
    env.put("GOOS", goos);
    env.put("GOARCH", goarch);
    ExecResult r =
        go(go, toolchain, env, repo, "build", "-ldflags=" + ldflags, "-o", out.toString(), pkg);
    if (!r.ok()) {
      fail("go build " + name + " failed:\n" + r.tail(20));
    }
    binaries.add(new Built(out, label, goos, goarch, stripped));
  }

  /** The binary built by {@code toolchain} ("go1.26", "go1.21", "go1.17") for one target. */
  Built find(String toolchain, String goos, String goarch, boolean stripped, String pkg) {
    return binaries.stream()
        .filter(
            b ->
                b.toolchain().equals(toolchain)
                    && b.goos().equals(goos)
                    && b.goarch().equals(goarch)
                    && b.stripped() == stripped
                    && b.file().getFileName().toString().contains("-" + pkg))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no fixture " + toolchain + " " + goos + "/" + goarch));
  }

  ExecResult go(String go, String toolchain, Map<String, String> extra, Path dir, String... args)
      throws IOException {
    Map<String, String> env = new HashMap<>();
    for (String keep : List.of("PATH", "HOME", "GOPROXY", "GOSUMDB", "GOMODCACHE", "GOCACHE")) {
      String v = System.getenv(keep);
      if (v != null) {
        env.put(keep, v);
      }
    }
    // The machine's go env file may disable VCS stamping; tests build as a clean user would.
    env.put("GOENV", "off");
    env.put("GOFLAGS", "");
    env.put("GOTOOLCHAIN", toolchain);
    env.put("CGO_ENABLED", "0");
    env.putAll(extra);
    List<String> cmd = new ArrayList<>();
    cmd.add(go);
    cmd.addAll(List.of(args));
    return runner.run(cmd, dir, env, Duration.ofMinutes(10));
  }

  /** What {@code go version -m -json} (Go 1.26) reads from {@code file}, as our record. */
  BuildInfo goVersionM(Path file) throws IOException {
    ExecResult r =
        go(GO.toString(), "local", Map.of(), root, "version", "-m", "-json", file.toString());
    if (!r.ok()) {
      fail("go version -m -json " + file + " failed:\n" + r.tail(10));
    }
    JsonNode n = new ObjectMapper().readTree(r.stdout());
    List<Module> deps = new ArrayList<>();
    for (JsonNode d : n.path("Deps")) {
      deps.add(module(d));
    }
    List<Setting> settings = new ArrayList<>();
    for (JsonNode s : n.path("Settings")) {
      settings.add(new Setting(s.path("Key").asText(""), s.path("Value").asText("")));
    }
    JsonNode main = n.path("Main");
    return new BuildInfo(
        n.path("GoVersion").asText(""),
        n.path("Path").asText(""),
        main.isMissingNode() || main.isEmpty() ? null : module(main),
        deps,
        settings);
  }

  private static Module module(JsonNode m) {
    JsonNode rep = m.path("Replace");
    return new Module(
        m.path("Path").asText(""),
        m.path("Version").asText(""),
        m.path("Sum").asText(""),
        rep.isMissingNode() || rep.isNull() ? null : module(rep));
  }

  private ExecResult git(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("git");
    cmd.addAll(List.of(args));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", root.toString());
    ExecResult r = runner.run(cmd, repo, env, Duration.ofMinutes(1));
    if (!r.ok()) {
      fail("git " + String.join(" ", args) + " failed (apt-get install git):\n" + r.tail(10));
    }
    return r;
  }

  private static void requireTool(Path tool, String install) {
    if (!Files.isExecutable(tool)) {
      fail(tool + " is missing: " + install);
    }
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort at JVM exit: a leftover temp directory is harmless.
    }
  }
}
