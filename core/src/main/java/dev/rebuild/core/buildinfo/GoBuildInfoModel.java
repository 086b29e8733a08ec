package dev.rebuild.core.buildinfo;

import dev.rebuild.core.model.GoVersion;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each Go release writes into a binary's build information, so that a comparison between two
 * builds made with different Go releases can tell a difference the toolchain alone explains from
 * one the recipe explains.
 *
 * <p>Sources, all in Go's own tree: {@code src/cmd/go/internal/load/pkg.go} ({@code setBuildInfo}:
 * which settings are appended and when), {@code src/cmd/go/internal/cfg/cfg.go} ({@code
 * GetArchEnv}: which per-architecture variable is recorded), {@code
 * src/internal/buildcfg/zbootstrap.go} (the defaults of those variables) and the release notes
 * named at each fact. Each fact was checked against binaries built by the real toolchains go1.17.13
 * to go1.27.4 (see {@code GoVersionMatrixTest}).
 */
public final class GoBuildInfoModel {

  private GoBuildInfoModel() {}

  /**
   * Go 1.18 added build settings ({@code build} lines: flags, GOOS/GOARCH, {@code vcs.*}); Go 1.13
   * to 1.17 record only the main package, the main module and the dependencies (Go 1.18 release
   * notes, "Version information").
   */
  public static final GoVersion FIRST_WITH_SETTINGS = GoVersion.parse("1.18");

  /**
   * Go 1.24 stamps the main module's version from version control: the tag at the commit, else a
   * pseudo-version, {@code +dirty} when modified; older Go writes {@code (devel)} (Go 1.24 release
   * notes, "go command"; {@code setBuildInfo} after {@code vcs.modified}).
   */
  public static final GoVersion FIRST_WITH_VCS_MODULE_VERSION = GoVersion.parse("1.24");

  /**
   * Per setting, the first Go release that records it; settings missing here exist since {@link
   * #FIRST_WITH_SETTINGS}. A release before the one named here cannot have recorded the setting, so
   * its absence says nothing about how the binary was built.
   */
  private static final Map<String, GoVersion> SINCE =
      Map.ofEntries(
          // go1.19: "if cfg.BuildTrimpath { appendSetting("-trimpath", "true") }"
          // (go.dev/issue/52372).
          Map.entry("-trimpath", GoVersion.parse("1.19")),
          // go1.20: "appendSetting("-buildmode", buildmode)", "exe" for a main package by default.
          Map.entry("-buildmode", GoVersion.parse("1.20")),
          // go1.20: profile-guided optimisation; go1.21 made -pgo=auto the default.
          Map.entry("-pgo", GoVersion.parse("1.20")),
          // go1.21: "if p.DefaultGODEBUG != "" { appendSetting("DefaultGODEBUG", ...) }".
          Map.entry("DefaultGODEBUG", GoVersion.parse("1.21")),
          // go1.20: coverage-instrumented programs (go build -cover).
          Map.entry("-cover", GoVersion.parse("1.20")),
          // go1.23: GetArchEnv gained GOARM64 and GORISCV64 (Go 1.23 release notes, "Ports").
          Map.entry("GOARM64", GoVersion.parse("1.23")),
          Map.entry("GORISCV64", GoVersion.parse("1.23")),
          // go1.24: "if fips140.Enabled() { appendSetting("GOFIPS140", ...) }".
          Map.entry("GOFIPS140", GoVersion.parse("1.24")));

  /**
   * Settings whose value the Go release derives by itself: {@code DefaultGODEBUG} is the list of
   * GODEBUG defaults the toolchain computes from go.mod's {@code go} line and its own version
   * (go.dev/doc/godebug), so it changes with every Go release whatever the recipe says.
   */
  public static boolean derivedFromGoVersion(String key) {
    return key.equals("DefaultGODEBUG");
  }

  /** True when binaries built by {@code go} carry build settings at all. */
  public static boolean recordsSettings(GoVersion go) {
    return go.compareTo(FIRST_WITH_SETTINGS) >= 0;
  }

  /** True when {@code go} records {@code key} whenever it applies to the build. */
  public static boolean records(GoVersion go, String key) {
    if (!recordsSettings(go)) {
      return false;
    }
    GoVersion since = SINCE.get(key);
    return since == null || go.compareTo(since) >= 0;
  }

  /** True when {@code go} writes the main module's version from version control. */
  public static boolean stampsModuleVersion(GoVersion go) {
    return go.compareTo(FIRST_WITH_VCS_MODULE_VERSION) >= 0;
  }

  /**
   * The architecture variable Go has for {@code goarch} ({@code GOAMD64} for amd64, {@code GOARM}
   * for arm, ...), as {@code cfg.GetArchEnv} names it in the newest release; empty for
   * architectures without one.
   */
  public static Optional<String> archKey(String goarch) {
    return Optional.ofNullable(
        switch (goarch == null ? "" : goarch) {
          case "arm" -> "GOARM";
          case "arm64" -> "GOARM64";
          case "386" -> "GO386";
          case "amd64" -> "GOAMD64";
          case "mips", "mipsle" -> "GOMIPS";
          case "mips64", "mips64le" -> "GOMIPS64";
          case "ppc64", "ppc64le" -> "GOPPC64";
          case "riscv64" -> "GORISCV64";
          case "wasm" -> "GOWASM";
          default -> null;
        });
  }

  /**
   * The architecture variable {@code go} records for {@code goarch}: {@link #archKey}, empty before
   * the release that added it.
   */
  public static Optional<String> archVariable(GoVersion go, String goarch) {
    return archKey(goarch).filter(key -> records(go, key));
  }

  /** The first Go release that records {@code key} whenever it applies to the build. */
  public static GoVersion firstRecording(String key) {
    return SINCE.getOrDefault(key, FIRST_WITH_SETTINGS);
  }

  /**
   * The value {@code go} uses for an architecture variable nobody set ({@code
   * internal/buildcfg/zbootstrap.go} of each release): GOAMD64 {@code v1}, GO386 {@code sse2},
   * GOARM64 {@code v8.0}, GORISCV64 {@code rva20u64}, GOPPC64 {@code power8}, GOMIPS/GOMIPS64
   * {@code hardfloat}, and GOARM {@code 5} before go1.21, {@code 7} from go1.21 on (Go 1.21 release
   * notes: cross-compiled arm binaries default to GOARM=7). Empty when it has none.
   */
  public static Optional<String> archDefault(GoVersion go, String key) {
    return Optional.ofNullable(
        switch (key) {
          case "GOAMD64" -> "v1";
          case "GO386" -> "sse2";
          case "GOARM64" -> "v8.0";
          case "GORISCV64" -> "rva20u64";
          case "GOPPC64" -> "power8";
          case "GOMIPS", "GOMIPS64" -> "hardfloat";
          case "GOARM" -> go.compareTo(GoVersion.parse("1.21")) >= 0 ? "7" : "5";
          default -> null;
        });
  }

  /**
   * The value {@code go} records for {@code key} when the recipe does not set it, or empty when Go
   * records nothing then: {@code -buildmode=exe} for a command, {@code -compiler=gc}, the
   * architecture defaults.
   */
  public static Optional<String> implicitValue(GoVersion go, String key) {
    return switch (key) {
      case "-buildmode" -> Optional.of("exe");
      case "-compiler" -> Optional.of("gc");
      default -> archDefault(go, key);
    };
  }

  /**
   * Settings that go through {@code -trimpath} unrecorded: {@code -ldflags} and the {@code CGO_*}
   * flags may name paths of the build machine, so Go drops them when {@code -trimpath} is set
   * (go.dev/issue/52372), from go1.19 on and in go1.18 patch releases from go1.18.8 (go1.18.4 and
   * earlier still record them: checked in their {@code load/pkg.go}).
   */
  public static boolean hiddenByTrimpath(String key) {
    return key.equals("-ldflags") || isCgoFlag(key);
  }

  /**
   * True when {@code go} drops {@link #hiddenByTrimpath} settings from a {@code -trimpath} build.
   */
  public static boolean dropsFlagsWithTrimpath(GoVersion go) {
    if (go.compareTo(GoVersion.parse("1.19")) >= 0) {
      return true;
    }
    return go.line().equals("1.18") && go.patch() >= 8;
  }

  /** {@code CGO_CFLAGS}, {@code CGO_CPPFLAGS}, {@code CGO_CXXFLAGS}, {@code CGO_LDFLAGS}. */
  public static boolean isCgoFlag(String key) {
    return key.startsWith("CGO_") && !key.equals("CGO_ENABLED");
  }

  /** Where a main module version says it came from. */
  public sealed interface ModuleVersion {
    /** {@code (devel)}: no version (Go before 1.24, or no VCS information). */
    record Devel() implements ModuleVersion {}

    /** A version tag at the commit, e.g. {@code v1.3.0}. */
    record Tagged(String version, boolean dirty) implements ModuleVersion {}

    /**
     * A pseudo-version ({@code v0.0.0-20240301120000-abcdef123456}, {@code
     * v1.0.1-0.20240301120000-abcdef123456}): the commit's time (UTC, {@code yyyyMMddHHmmss}) and
     * the first 12 hex digits of its hash.
     */
    record Pseudo(String version, String time, String revision, boolean dirty)
        implements ModuleVersion {
      /** True when this pseudo-version names {@code commit} made at {@code commitTime}. */
      public boolean names(String commit, String commitTime) {
        return commit != null
            && commit.startsWith(revision)
            && (commitTime == null || time.equals(commitTime));
      }
    }

    /** Anything else, e.g. an empty version. */
    record Other(String version) implements ModuleVersion {}
  }

  // golang.org/x/mod/module/pseudo.go: vX.0.0-yyyymmddhhmmss-abcdefabcdef,
  // vX.Y.Z-pre.0.yyyymmddhhmmss-abcdefabcdef, vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdefabcdef.
  private static final Pattern PSEUDO_FULL =
      Pattern.compile(
          "v\\d+\\.\\d+\\.\\d+-(?:(?:[0-9A-Za-z-]+\\.)*0\\.)?(\\d{14})-([0-9a-f]{12})"
              + "(?:\\+incompatible)?(?:[+.]dirty)?");
  private static final Pattern SEMVER =
      Pattern.compile("v\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?");

  /** Classifies a main module version as Go writes it. */
  public static ModuleVersion moduleVersion(String version) {
    if (version == null || version.equals("(devel)")) {
      return new ModuleVersion.Devel();
    }
    boolean dirty = version.endsWith("+dirty") || version.endsWith(".dirty");
    Matcher m = PSEUDO_FULL.matcher(version);
    if (m.matches()) {
      return new ModuleVersion.Pseudo(version, m.group(1), m.group(2), dirty);
    }
    if (SEMVER.matcher(version).matches()) {
      return new ModuleVersion.Tagged(version, dirty);
    }
    return new ModuleVersion.Other(version);
  }

  /**
   * The commit time as a pseudo-version writes it, from a {@code vcs.time} setting ({@code
   * 2024-03-01T12:00:00Z}); null when it does not parse.
   */
  public static String pseudoTime(String vcsTime) {
    if (vcsTime == null) {
      return null;
    }
    try {
      return java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
          .withZone(java.time.ZoneOffset.UTC)
          .format(java.time.Instant.parse(vcsTime));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
