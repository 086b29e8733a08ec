package dev.rebuild.core.buildinfo;

import dev.rebuild.core.model.GoVersion;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The build information a Go toolchain embeds in a binary: what {@code go version -m} prints.
 *
 * @param goVersion the toolchain version exactly as embedded, e.g. {@code go1.22.12} or {@code
 *     devel go1.24-abc123 ...}
 * @param path the main package's import path; empty for binaries built without modules
 * @param main the main module, or null for binaries built without modules
 * @param deps the dependency modules in the order Go recorded them
 * @param settings the build settings in the order Go recorded them
 */
public record BuildInfo(
    String goVersion, String path, Module main, List<Module> deps, List<Setting> settings) {

  public BuildInfo {
    Objects.requireNonNull(goVersion, "goVersion");
    Objects.requireNonNull(path, "path");
    deps = List.copyOf(deps);
    settings = List.copyOf(settings);
  }

  /** The value of the first setting named {@code key}, or null if Go recorded none. */
  public String setting(String key) {
    for (Setting s : settings) {
      if (s.key().equals(key)) {
        return s.value();
      }
    }
    return null;
  }

  /** {@code GOOS} as recorded (Go 1.18+), or null. */
  public String goos() {
    return setting("GOOS");
  }

  /** {@code GOARCH} as recorded (Go 1.18+), or null. */
  public String goarch() {
    return setting("GOARCH");
  }

  /** The toolchain version, or null for development toolchains whose version does not parse. */
  public GoVersion parsedGoVersion() {
    return GoVersion.parseOrNull(goVersion);
  }

  /** The commit the binary was built from, when Go stamped VCS information. */
  public Optional<String> vcsRevision() {
    return Optional.ofNullable(setting("vcs.revision"));
  }
}
