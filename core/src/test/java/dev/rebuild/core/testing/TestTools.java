package dev.rebuild.core.testing;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.toolchain.Toolchain;
import dev.rebuild.core.toolchain.ToolchainException;
import dev.rebuild.core.toolchain.ToolchainListener;
import dev.rebuild.core.toolchain.ToolchainSettings;
import dev.rebuild.core.toolchain.ToolchainStore;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The tools the tests run, provisioned by the tests themselves: pinned, verified and cached between
 * runs under {@code ${XDG_CACHE_HOME:-~/.cache}/rebuild}, so that a machine with Java, git, Go (on
 * PATH) and access to the Go module proxy runs the whole suite without root or apt.
 *
 * <ul>
 *   <li>{@link #go(String)}: Go toolchains of pinned versions, through the project's own download
 *       ({@link ToolchainStore}: an installed toolchain of exactly that version, else the cache
 *       {@code rebuild/go}, else the Go module proxy, verified against the checksum database).
 *   <li>{@link #tool(String)}: Go programs ({@code registry}, {@code crane}, {@code umoci}, {@code
 *       goreleaser}, {@code govulncheck}, {@code cosign}, {@code cyclonedx-gomod}, {@code oras})
 *       built from pinned module versions with the machine's Go into {@code
 *       rebuild/test-tools/<name>@<version>/}; the module's {@code h1:} hash is pinned too and
 *       checked each time a cached binary is first used in a JVM. {@code davserver}, {@code
 *       vexcheck} and {@code referrers-registry} are built from core's test resources, their
 *       dependencies pinned by their go.sum.
 *   <li>{@link #machineGo()}: the GOROOT of the {@code go} on PATH (the independent reader of build
 *       information the tests compare against).
 * </ul>
 *
 * A tool that cannot be provisioned fails the test that needs it, with what failed and how to fix
 * it; nothing is skipped. Failures are plain {@link AssertionError}s (no JUnit on the classpath is
 * needed): the invoker ITs' setup and verify scripts use this class too, from core's test-jar.
 */
public final class TestTools {

  /** The Go 1.21 every test that needs "an old Go" builds with. */
  public static final String GO_1_21 = "1.21.13";

  /** The Go 1.22 the rebuild tests rebuild with. */
  public static final String GO_1_22 = "1.22.12";

  /** What {@code go install} uses when the machine's Go is older than a tool module needs. */
  static final String NEWER_GOTOOLCHAIN = "go1.27.3";

  /** How a pinned tool is built. */
  private enum Build {
    /** {@code go install <module>/<package>@<version>}. */
    INSTALL,
    /**
     * {@code go mod download} then {@code go build} in the module's directory: for modules whose
     * go.mod has replace directives, which {@code go install pkg@version} refuses.
     */
    SOURCE,
    /**
     * {@code go build} of a program kept in core's test resources ({@code /<name>/}: main.go,
     * go.mod, go.sum); go.sum pins its dependencies, which come from the Go module proxy. Its
     * version is the sha256 of those files, so an edit builds anew.
     */
    LOCAL
  }

  /**
   * One pinned tool.
   *
   * @param h1 the module zip's hash as the checksum database has it; {@code go version -m} of the
   *     binary must show it (INSTALL), or {@code go mod download} must report it (SOURCE)
   * @param minGo the {@code go} line of the module's go.mod
   */
  private record Spec(
      String name, String module, String pkg, String version, String h1, String minGo, Build how) {
    String installArg() {
      return mainPath() + "@" + version;
    }

    /** The main package's import path: the module itself when {@code pkg} is empty. */
    String mainPath() {
      return pkg.isEmpty() ? module : module + "/" + pkg;
    }
  }

  /**
   * The files of a {@link Build#LOCAL} program, in core's test resources under {@code /<name>/}.
   */
  private static final List<String> LOCAL_FILES = List.of("main.go", "go.mod", "go.sum");

  private static final Map<String, Spec> TOOLS = new LinkedHashMap<>();

  static {
    add(
        new Spec(
            "registry",
            "github.com/distribution/distribution/v3",
            "cmd/registry",
            "v3.1.2",
            "h1:/Bv2YIqqSR00HiO49FT93hovy6r9IlrzwUDsJjCN5qg=",
            "1.26.0",
            Build.INSTALL));
    add(
        new Spec(
            "crane",
            "github.com/google/go-containerregistry",
            "cmd/crane",
            "v0.22.1",
            "h1:RZuuSYhTvlDvtsK+NkutoCZ//C0X2ebLK8X8l3ULs84=",
            "1.25.0",
            Build.INSTALL));
    add(
        new Spec(
            "umoci",
            "github.com/opencontainers/umoci",
            "cmd/umoci",
            "v0.6.0",
            "h1:Dsm4beJpglN5y2E2EUSZZcNey4Ml4+nKepvwLQwgIec=",
            "1.24.0",
            Build.SOURCE));
    add(
        new Spec(
            "govulncheck",
            "golang.org/x/vuln",
            "cmd/govulncheck",
            "v1.9.0",
            "h1:12VaqnI9kJfqwRoPptxoqsUhQtdfrSbdksT7X/KY/sc=",
            "1.26.0",
            Build.INSTALL));
    // Builds originals the way GoReleaser users publish them (default archive names and ldflags).
    add(
        new Spec(
            "goreleaser",
            "github.com/goreleaser/goreleaser/v2",
            "",
            "v2.15.1",
            "h1:qgg9Y4JfURDRnt43eA76QRkzlWCYIph/yz4jyQdczMs=",
            "1.26.1",
            Build.INSTALL));
    // The independent verifier of signed provenance and VEX (verify-blob-attestation --key).
    add(
        new Spec(
            "cosign",
            "github.com/sigstore/cosign/v2",
            "cmd/cosign",
            "v2.6.5",
            "h1:D7kFSWS2HzfD+LpEuBO89D1KfOAODlkWuuhzXS8yzi0=",
            "1.25.0",
            Build.INSTALL));
    // The independent reader of the SBOMs: its bin mode reads a binary's build info.
    add(
        new Spec(
            "cyclonedx-gomod",
            "github.com/CycloneDX/cyclonedx-gomod",
            "cmd/cyclonedx-gomod",
            "v1.10.0",
            "h1:9Vy3zcC+lJLgcR4xYQvwPGU6L2Rij/Ld47lyucYjVI0=",
            "1.25.0",
            Build.INSTALL));
    // Lists the documents attached to an image as OCI referrers (API or tag scheme).
    add(
        new Spec(
            "oras",
            "oras.land/oras",
            "cmd/oras",
            "v1.3.6",
            "h1:Lhsfr2tQLjsu/+CJZp6vYatwKT+62fbIUTlp4lUrfOA=",
            "1.26.7",
            Build.INSTALL));
    // The WebDAV repository server of the publish tests.
    add(local("davserver"));
    // The independent consumer of the rebuild's VEX (see vexcheck()).
    add(local("vexcheck"));
    // go-containerregistry's in-memory registry with its referrers API on.
    add(local("referrers-registry"));
  }

  /**
   * A {@link Build#LOCAL} program: its module path and minimum Go come from its go.mod, its version
   * from the hash of its sources.
   */
  private static Spec local(String name) {
    List<String> goMod =
        new String(localSource(name, "go.mod"), StandardCharsets.UTF_8).lines().toList();
    return new Spec(
        name,
        goModLine(goMod, "module ", name),
        ".",
        localVersion(name),
        null,
        goModLine(goMod, "go ", name),
        Build.LOCAL);
  }

  private static String goModLine(List<String> goMod, String prefix, String name) {
    return goMod.stream()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()).strip())
        .findFirst()
        .orElseGet(
            () -> fail("the test resource /" + name + "/go.mod has no '" + prefix + "' line"));
  }

  private static String localVersion(String name) {
    java.security.MessageDigest sha = dev.rebuild.core.model.Digest.sha256();
    for (String f : LOCAL_FILES) {
      sha.update(f.getBytes(StandardCharsets.UTF_8));
      sha.update(localSource(name, f));
    }
    return "src-" + java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
  }

  private static byte[] localSource(String name, String file) {
    try (java.io.InputStream in = TestTools.class.getResourceAsStream("/" + name + "/" + file)) {
      if (in == null) {
        return fail("the test resource /" + name + "/" + file + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      return fail("cannot read the test resource /" + name + "/" + file + ": " + e, e);
    }
  }

  private static void add(Spec s) {
    TOOLS.put(s.name(), s);
  }

  private static final Map<String, Path> GOROOTS = new HashMap<>();
  private static final Map<String, Path> BINARIES = new HashMap<>();
  private static final Map<String, String> FAILURES = new HashMap<>();
  private static Path machineGoroot;
  private static String machineGoVersion;

  private TestTools() {}

  /** The pinned version of a Go line ({@code "1.21"}) or an exact pinned version itself. */
  public static String pinnedGo(String line) {
    for (String v : List.of(GO_1_21, GO_1_22)) {
      if (v.equals(line) || v.startsWith(line + ".")) {
        return v;
      }
    }
    return fail(
        "no Go version is pinned for '"
            + line
            + "' in "
            + TestTools.class.getName()
            + " (pinned: "
            + GO_1_21
            + ", "
            + GO_1_22
            + ")");
  }

  /**
   * The GOROOT of the pinned Go of {@code line} ("1.21", "1.22" or the exact pinned version), as
   * the project's own toolchain download provides it; memoized per JVM.
   */
  public static synchronized Path go(String line) {
    String version = pinnedGo(line);
    Path known = GOROOTS.get(version);
    if (known != null) {
      return known;
    }
    String key = "go" + version;
    if (FAILURES.containsKey(key)) {
      return fail(FAILURES.get(key));
    }
    ToolchainSettings settings = ToolchainSettings.fromSystem();
    long started = System.nanoTime();
    Toolchain t;
    try {
      t =
          new ToolchainStore(settings, new CommonsExecProcessRunner(), ToolchainListener.NONE)
              .provide(version);
    } catch (ToolchainException | RuntimeException e) {
      String why =
          "could not provide Go "
              + version
              + " (pinned in "
              + TestTools.class.getName()
              + ") through the project's toolchain download into "
              + settings.effectiveCacheDir()
              + ": "
              + e.getMessage()
              + "\nFix: make the Go module proxy reachable (GOPROXY, default"
              + " https://proxy.golang.org; the zip is checked against the checksum database,"
              + " GOSUMDB), or unpack Go "
              + version
              + " into ~/sdk/go"
              + version
              + " (e.g. `go install golang.org/dl/go"
              + version
              + "@latest && go"
              + version
              + " download`).";
      FAILURES.put(key, why);
      return fail(why, e);
    }
    Path goroot = t.goroot();
    String first = firstLine(goroot.resolve("VERSION"));
    if (!("go" + version).equals(first) || !Files.isExecutable(t.goCommand())) {
      String why =
          "the Go toolchain provided for "
              + version
              + " at "
              + goroot
              + " ("
              + t.origin()
              + ") is not go"
              + version
              + " (VERSION says "
              + first
              + "); delete it from "
              + settings.effectiveCacheDir()
              + " and run again";
      FAILURES.put(key, why);
      return fail(why);
    }
    if (t.downloaded() && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(1)) {
      System.err.printf(
          "[test-tools] go%s from %s into %s in %d s%n",
          version,
          t.sourceUrl(),
          goroot,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }
    GOROOTS.put(version, goroot);
    return goroot;
  }

  /** {@code go(line)}'s go command. */
  public static Path goCommand(String line) {
    return go(line).resolve("bin").resolve("go");
  }

  /** The GOROOT of the machine's Go: the {@code go} on PATH (with {@code GOTOOLCHAIN=local}). */
  public static synchronized Path machineGo() {
    if (machineGoroot == null) {
      Path exe = onPath("go");
      if (exe == null) {
        fail(
            "no go command on PATH ("
                + System.getenv("PATH")
                + "): install Go from https://go.dev/dl/ (unpack it anywhere, no root needed)"
                + " and put its bin directory on PATH");
      }
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("GOTOOLCHAIN", "local");
      env.put("GOFLAGS", "");
      Result r = exec(List.of(exe.toString(), "env", "GOROOT", "GOVERSION"), null, env, 2);
      if (r.exit() != 0) {
        fail(exe + " env GOROOT GOVERSION failed (" + r.exit() + "): " + tail(r.output()));
      }
      List<String> lines = r.output().lines().map(String::strip).toList();
      machineGoroot = Path.of(lines.get(0));
      machineGoVersion = lines.get(1);
    }
    return machineGoroot;
  }

  /** The machine Go's go command. */
  public static Path machineGoCommand() {
    return machineGo().resolve("bin").resolve("go");
  }

  /** What {@code go env GOVERSION} of the machine's Go says, e.g. {@code go1.26.8}. */
  public static synchronized String machineGoVersion() {
    machineGo();
    return machineGoVersion;
  }

  /** {@code ${XDG_CACHE_HOME:-~/.cache}/rebuild}: where the tests keep what they provision. */
  public static Path cacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("rebuild");
  }

  /** The pinned version of a tool, e.g. {@code v0.22.1} for {@code crane}. */
  public static String version(String name) {
    return spec(name).version();
  }

  /** The module path of a tool, e.g. {@code golang.org/x/vuln} for {@code govulncheck}. */
  public static String module(String name) {
    return spec(name).module();
  }

  /**
   * The binary of a pinned tool: {@code registry} (distribution), {@code crane}, {@code umoci},
   * {@code goreleaser}, {@code govulncheck}, ... or one of core's test resources ({@code
   * davserver}, {@code vexcheck}, {@code referrers-registry}), built on first use and cached;
   * memoized per JVM.
   */
  public static synchronized Path tool(String name) {
    Spec s = spec(name);
    Path known = BINARIES.get(name);
    if (known != null) {
      return known;
    }
    if (FAILURES.containsKey(name)) {
      return fail(FAILURES.get(name));
    }
    try {
      Path bin = provision(s);
      BINARIES.put(name, bin);
      return bin;
    } catch (ProvisionFailure e) {
      FAILURES.put(name, e.getMessage());
      return fail(e.getMessage());
    } catch (IOException e) {
      String why =
          "could not provision "
              + name
              + " "
              + s.version()
              + " under "
              + toolsDir()
              + ": "
              + e
              + "; make "
              + toolsDir()
              + " writable (or set XDG_CACHE_HOME to a writable directory)";
      FAILURES.put(name, why);
      return fail(why, e);
    }
  }

  /**
   * {@code vexcheck}, a small program of these tests ({@code src/test/resources/vexcheck/}) that
   * reads an OpenVEX document with go-vex, OpenVEX's own Go library, and prints the status in
   * effect for products and vulnerabilities: the independent consumer of the rebuild's VEX (vexctl
   * itself is not served by the Go module proxy).
   */
  public static Path vexcheck() {
    return tool("vexcheck");
  }

  private static Spec spec(String name) {
    Spec s = TOOLS.get(name);
    if (s == null) {
      fail("no pinned test tool '" + name + "'; known: " + TOOLS.keySet());
    }
    return s;
  }

  static Path toolsDir() {
    return cacheRoot().resolve("test-tools");
  }

  private static final class ProvisionFailure extends Exception {
    ProvisionFailure(String message) {
      super(message);
    }
  }

  private static Path provision(Spec s) throws IOException, ProvisionFailure {
    Path dir = toolsDir().resolve(s.name() + "@" + s.version());
    Path bin = dir.resolve(s.name());
    if (Files.isExecutable(bin)) {
      verify(s, bin);
      return bin;
    }
    Files.createDirectories(toolsDir());
    Path lockFile = toolsDir().resolve(".lock-" + s.name() + "@" + s.version());
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      if (Files.isExecutable(bin)) {
        // Another JVM built it while this one waited.
        verify(s, bin);
        return bin;
      }
      if (Files.exists(dir)) {
        // A directory without the binary is not something this class publishes: start over.
        deleteTree(dir);
      }
      Path work = Files.createTempDirectory(toolsDir(), ".tmp-" + s.name() + "-");
      try {
        long started = System.nanoTime();
        build(s, work);
        deleteTree(work.resolve("src"));
        verify(s, work.resolve(s.name()));
        try {
          Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
          // Published by someone not holding the lock (an older layout): keep theirs.
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(work, dir);
        }
        System.err.printf(
            "[test-tools] built %s %s into %s in %d s%n",
            s.name(),
            s.version(),
            dir,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
      } finally {
        deleteTree(work);
      }
    }
    if (!Files.isExecutable(bin)) {
      throw new ProvisionFailure(
          s.name() + " " + s.version() + " was built but " + bin + " is not there");
    }
    return bin;
  }

  private static Map<String, String> goEnv(Spec s, Path gobin) throws ProvisionFailure {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("GOBIN", gobin.toString());
    // The user's go env file or environment may add flags (-buildvcs=false, -mod=vendor, ...).
    env.put("GOFLAGS", "");
    env.put("GOWORK", "off");
    env.put("GO111MODULE", "on");
    env.put("CGO_ENABLED", "0");
    env.put("GOTOOLCHAIN", newEnough(machineGoVersion(), s.minGo()) ? "local" : NEWER_GOTOOLCHAIN);
    return env;
  }

  private static void build(Spec s, Path work) throws ProvisionFailure {
    Path go = machineGoCommand();
    Map<String, String> env = goEnv(s, work);
    String how;
    Result r;
    if (s.how() == Build.LOCAL) {
      Path src = work.resolve("src");
      how = "go build (test resources /" + s.name() + "/)";
      try {
        Files.createDirectories(src);
        for (String f : LOCAL_FILES) {
          Files.write(src.resolve(f), localSource(s.name(), f));
        }
      } catch (IOException e) {
        throw new ProvisionFailure(
            "cannot copy the sources of " + s.name() + " to " + src + ": " + e);
      }
      r = goBuild(go, work.resolve(s.name()), ".", src, env, 10);
      if (r.exit() == 0) {
        writeString(work.resolve(s.name() + ".source"), s.module() + " " + s.version());
      }
    } else if (s.how() == Build.INSTALL) {
      how = "go install " + s.installArg();
      r = exec(List.of(go.toString(), "install", "-trimpath", s.installArg()), work, env, 20);
    } else {
      how =
          "go mod download "
              + s.module()
              + "@"
              + s.version()
              + " && go build ./"
              + s.pkg()
              + " (in the module's directory)";
      Result d =
          exec(
              List.of(go.toString(), "mod", "download", "-json", s.module() + "@" + s.version()),
              work,
              env,
              10);
      if (d.exit() != 0) {
        throw failure(s, how, env, d);
      }
      String sum = jsonField(d.output(), "Sum");
      String moduleDir = jsonField(d.output(), "Dir");
      if (!s.h1().equals(sum) || moduleDir == null) {
        throw new ProvisionFailure(
            "refusing to build "
                + s.name()
                + ": go mod download "
                + s.module()
                + "@"
                + s.version()
                + " reported "
                + sum
                + ", but "
                + TestTools.class.getSimpleName()
                + " pins "
                + s.h1()
                + " (the checksum database's hash)");
      }
      r = goBuild(go, work.resolve(s.name()), "./" + s.pkg(), Path.of(moduleDir), env, 20);
      if (r.exit() == 0) {
        writeString(work.resolve(s.name() + ".source"), s.module() + " " + s.version() + " " + sum);
      }
    }
    if (r.exit() != 0) {
      throw failure(s, how, env, r);
    }
  }

  /** {@code go build -trimpath -o out pkg} in {@code dir}. */
  private static Result goBuild(
      Path go, Path out, String pkg, Path dir, Map<String, String> env, int timeoutMinutes) {
    return exec(
        List.of(go.toString(), "build", "-trimpath", "-o", out.toString(), pkg),
        dir,
        env,
        timeoutMinutes);
  }

  private static ProvisionFailure failure(Spec s, String how, Map<String, String> env, Result r) {
    return new ProvisionFailure(
        "could not build "
            + s.name()
            + " with `GOTOOLCHAIN="
            + env.get("GOTOOLCHAIN")
            + " "
            + how
            + "` (machine Go: "
            + machineGoVersion()
            + " at "
            + machineGo()
            + "): "
            + tail(r.output())
            + "\nFix: check access to the Go module proxy (GOPROXY="
            + env.getOrDefault("GOPROXY", "https://proxy.golang.org,direct")
            + ") and the checksum database (GOSUMDB), or build it yourself and copy the binary to "
            + toolsDir().resolve(s.name() + "@" + s.version()).resolve(s.name()));
  }

  /** The binary is what the pin names: its build information or its recorded source hash. */
  private static void verify(Spec s, Path bin) throws ProvisionFailure {
    if (s.how() == Build.INSTALL) {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("GOTOOLCHAIN", "local");
      env.put("GOFLAGS", "");
      Result r =
          exec(
              List.of(machineGoCommand().toString(), "version", "-m", bin.toString()),
              null,
              env,
              2);
      String want = "\tmod\t" + s.module() + "\t" + s.version() + "\t" + s.h1();
      String path = "\tpath\t" + s.mainPath();
      if (r.exit() != 0
          || r.output().lines().noneMatch(l -> l.equals(want))
          || r.output().lines().noneMatch(l -> l.equals(path))) {
        throw new ProvisionFailure(
            bin
                + " is not "
                + s.installArg()
                + " with "
                + s.h1()
                + " (go version -m says: "
                + tail(r.output())
                + "); delete "
                + bin.getParent()
                + " and run again to rebuild it");
      }
    } else if (s.how() == Build.LOCAL) {
      Path stamp = bin.resolveSibling(s.name() + ".source");
      String recorded = Files.isRegularFile(stamp) ? firstLine(stamp) : null;
      if (!(s.module() + " " + s.version()).equals(recorded)) {
        throw new ProvisionFailure(
            bin
                + " is not "
                + s.name()
                + " "
                + s.version()
                + " (recorded: "
                + recorded
                + "); delete "
                + bin.getParent()
                + " and run again to rebuild it");
      }
    } else {
      Path stamp = bin.resolveSibling(s.name() + ".source");
      String recorded = Files.isRegularFile(stamp) ? firstLine(stamp) : null;
      String want = s.module() + " " + s.version() + " " + s.h1();
      Result r = exec(List.of(bin.toString(), "--version"), null, null, 1);
      if (!want.equals(recorded)
          || r.exit() != 0
          || !r.output().contains(s.version().substring(1))) {
        throw new ProvisionFailure(
            bin
                + " is not "
                + s.name()
                + " built from "
                + want
                + " (recorded: "
                + recorded
                + ", --version: "
                + tail(r.output())
                + "); delete "
                + bin.getParent()
                + " and run again to rebuild it");
      }
    }
  }

  /** True when Go {@code have} (e.g. go1.26.8) is at least {@code need} (e.g. 1.26.0). */
  static boolean newEnough(String have, String need) {
    int[] h = numbers(have.replaceFirst("^go", "").split("[^0-9.]")[0]);
    int[] n = numbers(need);
    for (int i = 0; i < 3; i++) {
      if (h[i] != n[i]) {
        return h[i] > n[i];
      }
    }
    return true;
  }

  private static int[] numbers(String v) {
    int[] out = new int[3];
    String[] parts = v.split("\\.");
    for (int i = 0; i < 3 && i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        out[i] = 0;
      }
    }
    return out;
  }

  private static String jsonField(String json, String field) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(json)
          .path(field)
          .asText(null);
    } catch (IOException e) {
      return null;
    }
  }

  /** Fails the caller (a JUnit test or an invoker script) with {@code message}. */
  private static <T> T fail(String message) {
    throw new AssertionError(message);
  }

  private static <T> T fail(String message, Throwable cause) {
    throw new AssertionError(message, cause);
  }

  /** The first executable {@code name} on PATH. */
  public static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry).resolve(name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  record Result(int exit, String output) {}

  private static Result exec(
      List<String> command, Path dir, Map<String, String> env, int timeoutMinutes) {
    Path out = null;
    try {
      out = Files.createTempFile("test-tools", ".out");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.redirectOutput(out.toFile());
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      if (env != null) {
        pb.environment().clear();
        pb.environment().putAll(env);
      }
      Process p = pb.start();
      if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + timeoutMinutes + " min: " + command);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, "cannot run " + command + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted: " + command);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // a temporary file left behind is harmless
        }
      }
    }
  }

  private static String tail(String text) {
    List<String> lines = new ArrayList<>(text.strip().lines().toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private static String firstLine(Path file) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.findFirst().map(String::strip).orElse("");
    } catch (IOException e) {
      return null;
    }
  }

  private static void writeString(Path file, String text) throws ProvisionFailure {
    try {
      Files.writeString(file, text + "\n");
    } catch (IOException e) {
      throw new ProvisionFailure("cannot write " + file + ": " + e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        p.toFile().setWritable(true);
        Files.deleteIfExists(p);
      }
    }
  }
}
