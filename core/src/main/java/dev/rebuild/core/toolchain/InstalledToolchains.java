package dev.rebuild.core.toolchain;

import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.GoVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Go toolchains already on this machine, and the one among them a rebuild asks for.
 *
 * <p>Looks, in this order, at: the explicit GOROOT ({@code rebuild.goroot}), {@code go} on {@code
 * PATH}, {@code /usr/local/go}, Debian's {@code /usr/lib/go-*}, {@code ~/sdk/go*} (where {@code
 * golang.org/dl} wrappers put theirs), the toolchains {@code go} itself downloaded into the module
 * cache ({@code golang.org/toolchain@v0.0.1-go*.<os>-<arch>}), and the extra GOROOTs of the
 * settings. The first one whose version is the requested one wins.
 */
public final class InstalledToolchains implements ToolchainProvider {

  private static final Duration GO_ENV_TIMEOUT = Duration.ofSeconds(60);

  private final ToolchainSettings settings;
  private final ProcessRunner runner;
  private final Path systemRoot;

  public InstalledToolchains(ToolchainSettings settings, ProcessRunner runner) {
    this(settings, runner, Path.of("/"));
  }

  /**
   * With the system-wide places ({@code /usr/local/go}, {@code /usr/lib/go-*}) looked for under
   * {@code systemRoot} instead of {@code /}, so tests can leave this machine's toolchains out.
   */
  InstalledToolchains(ToolchainSettings settings, ProcessRunner runner, Path systemRoot) {
    this.settings = settings;
    this.runner = runner;
    this.systemRoot = systemRoot;
  }

  /** One place looked at, whatever it held. */
  record Candidate(Path dir, String label) {}

  /** What a scan found, and the configured places that hold no toolchain. */
  record Scan(List<Toolchain> found, List<String> problems) {}

  /** Every toolchain found, in look-up order, each GOROOT once. */
  public List<Toolchain> discover() {
    return scan().found();
  }

  /** The first installed toolchain of exactly {@code version}. */
  public Optional<Toolchain> find(GoVersion version) {
    return find(version, scan());
  }

  static Optional<Toolchain> find(GoVersion version, Scan scan) {
    return scan.found().stream().filter(t -> t.version().equals(version)).findFirst();
  }

  @Override
  public Toolchain provide(String requested) throws ToolchainException {
    GoVersion wanted = parseExact(requested);
    checkExplicitGoroot();
    Scan scan = scan();
    Optional<Toolchain> hit = find(wanted, scan);
    if (hit.isPresent()) {
      return hit.get();
    }
    throw new ToolchainException(
        notFound(wanted, scan)
            + "\nTo use "
            + wanted
            + ": "
            + installAdvice(wanted, settings)
            + ", or let rebuild download it (not offline).");
  }

  /**
   * Parses a request for one exact version.
   *
   * @throws ToolchainException when {@code requested} is not a Go version or names a release line
   */
  static GoVersion parseExact(String requested) throws ToolchainException {
    GoVersion v = parse(requested);
    if (!v.isExact()) {
      throw new ToolchainException(
          "Go version '"
              + requested
              + "' names a release line, not one toolchain: give an exact version such as "
              + v.line()
              + ".0 or the newest "
              + v.line()
              + ".x patch release (e.g. -Dgo="
              + v.line()
              + ".12)");
    }
    return v;
  }

  static GoVersion parse(String requested) throws ToolchainException {
    if (requested == null || requested.isBlank()) {
      throw new ToolchainException(
          "no Go version requested: set -Dgo (e.g. -Dgo=1.22.12) or the plugin's <go> parameter");
    }
    try {
      return GoVersion.parse(requested);
    } catch (IllegalArgumentException e) {
      throw new ToolchainException("-Dgo: " + e.getMessage(), e);
    }
  }

  /**
   * Refuses an explicit GOROOT that holds no Go: the user named it, so using another toolchain in
   * its place would hide the mistake.
   */
  void checkExplicitGoroot() throws ToolchainException {
    Path g = settings.goroot();
    if (g != null && !isGoroot(g)) {
      throw new ToolchainException(
          "rebuild.goroot "
              + g
              + " is not a Go installation (it has no bin/go): point it at a GOROOT such as"
              + " /usr/local/go or /usr/lib/go-1.22, or leave it unset to use an installed or"
              + " downloaded toolchain");
    }
  }

  /** The first lines of a not-found message: what was wanted and every toolchain found. */
  String notFound(GoVersion wanted, Scan scan) {
    StringBuilder b = new StringBuilder();
    b.append("Go toolchain ")
        .append(wanted)
        .append(" for ")
        .append(settings.host())
        .append(" is not installed on this machine.");
    b.append(describe(scan));
    return b.toString();
  }

  static String describe(Scan scan) {
    StringBuilder b = new StringBuilder();
    if (scan.found().isEmpty()) {
      b.append("\nNo Go toolchain was found (looked at rebuild.goroot, PATH, /usr/local/go,")
          .append(" /usr/lib/go-*, ~/sdk/go*, the module cache and configured toolchains).");
    } else {
      b.append("\nToolchains found:");
      for (Toolchain t : scan.found()) {
        b.append("\n  ").append(t.version()).append("  ").append(t.origin());
      }
    }
    for (String p : scan.problems()) {
      b.append("\n  ").append(p);
    }
    return b.toString();
  }

  static String installAdvice(GoVersion wanted, ToolchainSettings settings) {
    String advice =
        "ask for an installed one with -Dgo=<version>, or install it and point rebuild.goroot at"
            + " its GOROOT (e.g. `go install golang.org/dl/"
            + wanted
            + "@latest && "
            + wanted
            + " download` puts it in ~/sdk/"
            + wanted
            + ")";
    if (settings.host().os().equals("linux") && wanted.isStable()) {
      advice +=
          ", or on Debian/Ubuntu `apt-get install golang-"
              + wanted.line()
              + "-go` (it installs /usr/lib/go-"
              + wanted.line()
              + "; check that its version is "
              + wanted.number()
              + ")";
    }
    return advice;
  }

  /** Looks at every place, in order. */
  Scan scan() {
    List<Toolchain> found = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (Candidate c : candidates(problems)) {
      Path real;
      try {
        real = c.dir().toRealPath();
      } catch (IOException e) {
        continue;
      }
      if (!isGoroot(real) || !seen.add(real)) {
        continue;
      }
      GoVersion v = readVersion(real);
      if (v == null) {
        problems.add(
            "(" + real + " (" + c.label() + ") has a go command whose version cannot be read)");
        continue;
      }
      found.add(new Toolchain(v, real, "installed: " + real + " (" + c.label() + ")", null, null));
    }
    return new Scan(List.copyOf(found), List.copyOf(problems));
  }

  private List<Candidate> candidates(List<String> problems) {
    List<Candidate> out = new ArrayList<>();
    if (settings.goroot() != null) {
      Path g = settings.goroot();
      if (isGoroot(g)) {
        out.add(new Candidate(g, "rebuild.goroot"));
      } else {
        problems.add(
            "(rebuild.goroot "
                + g
                + " is not a Go installation: it has no bin/go; point it at a GOROOT such as"
                + " /usr/local/go)");
      }
    }
    Path onPath = goOnPath();
    if (onPath != null) {
      out.add(new Candidate(onPath, "PATH"));
    }
    out.add(new Candidate(systemRoot.resolve("usr/local/go"), "/usr/local/go"));
    out.addAll(children(systemRoot.resolve("usr/lib"), "go-*", "Debian"));
    out.addAll(children(settings.home().resolve("sdk"), "go*", "~/sdk"));
    String platform = settings.host().os() + "-" + settings.host().arch();
    out.addAll(
        children(
            settings.moduleCache().resolve("golang.org"),
            "toolchain@v0.0.1-go*." + platform,
            "module cache"));
    for (Path g : settings.extraGoroots()) {
      if (isGoroot(g)) {
        out.add(new Candidate(g, "configured toolchain"));
      } else {
        problems.add("(configured toolchain " + g + " is not a Go installation: it has no bin/go)");
      }
    }
    return out;
  }

  private static List<Candidate> children(Path dir, String glob, String label) {
    List<Candidate> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
      for (Path p : ds) {
        out.add(new Candidate(p, label));
      }
    } catch (IOException e) {
      return out;
    }
    out.sort((a, b) -> a.dir().getFileName().compareTo(b.dir().getFileName()));
    return out;
  }

  /** The GOROOT of the first {@code go} on PATH, through symlinks (Debian's /usr/bin/go). */
  private Path goOnPath() {
    String path = settings.environment().get("PATH");
    if (path == null) {
      path = settings.environment().get("Path");
    }
    if (path == null) {
      return null;
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      for (String name : List.of("go", "go.exe")) {
        Path exe = Path.of(entry).resolve(name);
        if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
          continue;
        }
        try {
          Path real = exe.toRealPath();
          Path root = real.getParent() == null ? null : real.getParent().getParent();
          if (root != null
              && real.getParent().getFileName().toString().equals("bin")
              && isGoroot(root)
              && (Files.isRegularFile(root.resolve("VERSION"))
                  || Files.isDirectory(root.resolve("pkg/tool")))) {
            return root;
          }
          // A wrapper script or a shim (asdf, a distribution's launcher): ask it.
          return goEnv(exe, null, "GOROOT").map(Path::of).orElse(null);
        } catch (IOException e) {
          return null;
        }
      }
    }
    return null;
  }

  static boolean isGoroot(Path dir) {
    Path bin = dir.resolve("bin");
    return Files.isRegularFile(bin.resolve("go")) || Files.isRegularFile(bin.resolve("go.exe"));
  }

  /** {@code $GOROOT/VERSION}'s first line, else what {@code go env GOVERSION} says. */
  GoVersion readVersion(Path goroot) {
    GoVersion v = versionFile(goroot);
    if (v != null) {
      return v;
    }
    Path exe =
        Files.isRegularFile(goroot.resolve("bin/go.exe"))
            ? goroot.resolve("bin/go.exe")
            : goroot.resolve("bin/go");
    return goEnv(exe, goroot, "GOVERSION").map(GoVersion::parseOrNull).orElse(null);
  }

  static GoVersion versionFile(Path goroot) {
    Path file = goroot.resolve("VERSION");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      return first == null ? null : GoVersion.parseOrNull(first.trim());
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Runs {@code go env name}; with {@code goroot} set the go command is told its GOROOT, as a
   * trimmed go binary cannot find it without {@code pkg/tool} beside it.
   */
  private Optional<String> goEnv(Path exe, Path goroot, String name) {
    Map<String, String> env = new HashMap<>(settings.environment());
    // The toolchain must describe itself, not a GOROOT from the caller or a toolchain it would
    // switch to.
    env.remove("GOROOT");
    if (goroot != null) {
      env.put("GOROOT", goroot.toString());
    }
    env.put("GOTOOLCHAIN", "local");
    try {
      ProcessRunner.ExecResult r =
          runner.run(
              List.of(exe.toString(), "env", name),
              exe.getParent() != null ? exe.getParent() : Path.of("."),
              env,
              GO_ENV_TIMEOUT);
      String out = r.stdout().strip();
      return r.ok() && !out.isEmpty() ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
