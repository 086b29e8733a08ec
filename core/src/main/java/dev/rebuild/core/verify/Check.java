package dev.rebuild.core.verify;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.model.GoVersion;
import java.util.Objects;

/**
 * One check on one binary: the vulnerability gate, or a fact a release verification expects (Go
 * version, platform, revision). Reports show every check; a failed one fails the verification.
 *
 * @param name a short stable name, e.g. {@value #VULNERABILITIES}; JUnit reports use it as the test
 *     name
 * @param passed whether the binary satisfies it
 * @param message what was found, and on failure what was expected
 */
public record Check(String name, boolean passed, String message) {

  /** The vulnerability gate the {@link Verifier} adds to every binary. */
  public static final String VULNERABILITIES = "vulnerabilities";

  /** See {@link #goVersion(BuildInfo, GoVersion)}. */
  public static final String GO_VERSION = "go-version";

  /** See {@link #platform(BuildInfo, String, String)}. */
  public static final String PLATFORM = "platform";

  /** See {@link #vcsRevision(BuildInfo, String)}. */
  public static final String VCS_REVISION = "vcs-revision";

  public Check {
    Objects.requireNonNull(name, "name");
    message = message == null ? "" : message;
  }

  public static Check passed(String name, String message) {
    return new Check(name, true, message);
  }

  public static Check failed(String name, String message) {
    return new Check(name, false, message);
  }

  /** The binary was built by exactly {@code expected}. */
  public static Check goVersion(BuildInfo info, GoVersion expected) {
    GoVersion found = info.parsedGoVersion();
    if (expected.equals(found)) {
      return passed(GO_VERSION, "built with " + info.goVersion());
    }
    return failed(GO_VERSION, "built with " + info.goVersion() + ", expected " + expected);
  }

  /** The binary records {@code GOOS=goos} and {@code GOARCH=goarch}. */
  public static Check platform(BuildInfo info, String goos, String goarch) {
    String found = orNone(info.goos()) + "/" + orNone(info.goarch());
    if (goos.equals(info.goos()) && goarch.equals(info.goarch())) {
      return passed(PLATFORM, found);
    }
    return failed(PLATFORM, "built for " + found + ", expected " + goos + "/" + goarch);
  }

  /** The binary records {@code vcs.revision=commit}. */
  public static Check vcsRevision(BuildInfo info, String commit) {
    String found = info.vcsRevision().orElse(null);
    if (commit.equals(found)) {
      return passed(VCS_REVISION, "vcs.revision=" + found);
    }
    return failed(
        VCS_REVISION,
        (found == null ? "no vcs.revision recorded" : "vcs.revision=" + found)
            + ", expected "
            + commit);
  }

  private static String orNone(String s) {
    return s == null || s.isEmpty() ? "?" : s;
  }
}
