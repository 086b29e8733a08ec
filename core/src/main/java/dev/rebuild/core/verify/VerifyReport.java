package dev.rebuild.core.verify;

import dev.rebuild.core.vuln.FailOn;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What verifying a set of files found: every Go binary with its build information, vulnerabilities
 * and checks, and every other file with the reason it was skipped. Both lists are sorted by path.
 *
 * @param failOn the vulnerability gate the binaries were held to
 * @param database where the vulnerability database was read from, with any credentials removed
 * @param binaries the Go binaries
 * @param skipped the files that are not Go binaries or could not be read as such
 * @param originals when the binaries were compared with an original build: per binary path, the
 *     original it was compared with; empty otherwise
 */
public record VerifyReport(
    FailOn failOn,
    String database,
    List<VerifiedBinary> binaries,
    List<SkippedFile> skipped,
    Map<String, OriginalMatch> originals) {

  public VerifyReport {
    Objects.requireNonNull(failOn, "failOn");
    Objects.requireNonNull(database, "database");
    binaries = binaries.stream().sorted(Comparator.comparing(VerifiedBinary::path)).toList();
    skipped = skipped.stream().sorted(Comparator.comparing(SkippedFile::path)).toList();
    originals = Collections.unmodifiableMap(new TreeMap<>(originals));
  }

  /** A report without a comparison with an original build. */
  public VerifyReport(
      FailOn failOn, String database, List<VerifiedBinary> binaries, List<SkippedFile> skipped) {
    this(failOn, database, binaries, skipped, Map.of());
  }

  /**
   * The original build a binary was compared with ({@link Verifier#SAME_AS_ORIGINAL}).
   *
   * @param path the matched original's path as reports name it (e.g. {@code
   *     orig/demo.tar.gz!demo/bin/hello}), or null when no original matched
   * @param goVersion the original's Go as embedded, or null when no original matched
   * @param comparison the comparison of the original's build information with the binary's, or null
   *     when no original matched
   */
  public record OriginalMatch(String path, String goVersion, BuildComparison comparison) {

    /** No original matched. */
    public static OriginalMatch none() {
      return new OriginalMatch(null, null, null);
    }

    public boolean matched() {
      return path != null;
    }
  }

  /** The original {@code binary} was compared with, or null when none was given. */
  public OriginalMatch original(VerifiedBinary binary) {
    return originals.get(binary.path());
  }

  /** True when every check of every binary passed. */
  public boolean passed() {
    return binaries.stream().allMatch(VerifiedBinary::passed);
  }

  /** The binaries with a failed check. */
  public List<VerifiedBinary> failed() {
    return binaries.stream().filter(b -> !b.passed()).toList();
  }

  /** The verdict of {@link #failOn()} on each binary, in binary order. */
  public List<FailOn.Verdict> verdicts() {
    return binaries.stream().map(b -> failOn.verdict(b.scan())).toList();
  }

  /** The number of findings over all binaries (one per binary, vulnerability and module). */
  public int vulnerabilityCount() {
    return binaries.stream().mapToInt(b -> b.vulnerabilities().size()).sum();
  }

  /**
   * This report with the checks {@code extra} makes for each binary added after the binary's own;
   * how a release verification adds its expectations (Go version, platform, revision).
   */
  public VerifyReport withChecks(Function<VerifiedBinary, List<Check>> extra) {
    return new VerifyReport(
        failOn,
        database,
        binaries.stream().map(b -> b.withChecks(extra.apply(b))).toList(),
        skipped,
        originals);
  }
}
