package dev.rebuild.core.verify;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.ScanResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One Go binary that was verified: what it says about its build, what the vulnerability scan found,
 * and the checks it was held to.
 *
 * @param path where it was found, {@code /}-separated, starting with the {@link
 *     VerifyInput#name()}; archive members as {@code dist/demo.tar.gz!demo/bin/hello}
 * @param size in bytes
 * @param buildInfo the build information Go embedded
 * @param scan the vulnerability scan of it
 * @param checks in the order they were made; the {@link Verifier} adds {@link
 *     Check#VULNERABILITIES}
 */
public record VerifiedBinary(
    String path, long size, BuildInfo buildInfo, ScanResult scan, List<Check> checks) {

  public VerifiedBinary {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(buildInfo, "buildInfo");
    Objects.requireNonNull(scan, "scan");
    checks = List.copyOf(checks);
  }

  /** The Go version as embedded, e.g. {@code go1.22.12}. */
  public String goVersion() {
    return buildInfo.goVersion();
  }

  /** GOOS, or empty when the binary does not record it (Go before 1.18). */
  public String goos() {
    return buildInfo.goos() == null ? "" : buildInfo.goos();
  }

  /** GOARCH, or empty when the binary does not record it. */
  public String goarch() {
    return buildInfo.goarch() == null ? "" : buildInfo.goarch();
  }

  /** The main package's import path, e.g. {@code example.com/demo/cmd/hello}. */
  public String mainPath() {
    return buildInfo.path();
  }

  /** The main module, or null for a binary built without modules. */
  public Module module() {
    return buildInfo.main();
  }

  public List<Finding> vulnerabilities() {
    return scan.findings();
  }

  /**
   * The Go release that fixes every standard library finding that has a fix, e.g. {@code go1.22.7}:
   * the latest of their fixed versions. Null when no standard library finding has one.
   */
  public String stdlibFixedIn() {
    return scan.findings().stream()
        .filter(f -> f.isStdlib() && f.fixable())
        .map(f -> GoVersion.parseOrNull(f.fixedIn()))
        .filter(Objects::nonNull)
        .max(Comparator.naturalOrder())
        .map(GoVersion::toString)
        .orElse(null);
  }

  /** True when every check passed. */
  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  public List<Check> failedChecks() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** This binary with {@code more} checks after its own. */
  public VerifiedBinary withChecks(List<Check> more) {
    List<Check> all = new ArrayList<>(checks);
    all.addAll(more);
    return new VerifiedBinary(path, size, buildInfo, scan, all);
  }
}
