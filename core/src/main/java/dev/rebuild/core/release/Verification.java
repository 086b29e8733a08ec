package dev.rebuild.core.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rebuild.core.verify.BuildComparison;
import dev.rebuild.core.vuln.Comparison;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.ScanResult;
import java.util.List;

/**
 * The verification section of the manifest: how the rebuild was checked, and per binary the checks
 * and the vulnerability scan next to the original's.
 *
 * @param originals the original release's artifacts the rebuild was compared with, by name and
 *     sha256; empty without {@code rebuild.original}
 */
public record Verification(
    String original,
    String vulndb,
    String failOn,
    List<Verification.BinaryReport> binaries,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<OriginalArtifact> originals) {

  public Verification {
    originals = originals == null ? List.of() : List.copyOf(originals);
  }

  public Verification(String original, String vulndb, String failOn, List<BinaryReport> binaries) {
    this(original, vulndb, failOn, binaries, List.of());
  }

  /**
   * One original artifact, as found.
   *
   * @param name its file name
   * @param uri where it was read: the URL it was downloaded from, or null for a local file
   * @param rebuilt the name of the rebuilt artifact compared with it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OriginalArtifact(String name, String uri, String sha256, String rebuilt) {}

  /** One named check on one binary. */
  public record Check(String name, boolean passed, String message) {}

  /** What the vulnerability scan found for one binary, next to its original's findings. */
  public record Vulnerabilities(
      String status,
      List<String> rebuilt,
      List<String> fixedByRebuild,
      List<Still> stillPresent,
      List<String> newlyIntroduced) {

    /** A vulnerability the rebuild still has, and the version that fixes it. */
    public record Still(String id, String fixedIn) {}

    public static Vulnerabilities of(ScanResult rebuilt, ScanResult original) {
      List<String> ids = rebuilt.findings().stream().map(Finding::id).distinct().toList();
      if (original == null) {
        return new Vulnerabilities(
            rebuilt.status().name(),
            ids,
            List.of(),
            rebuilt.findings().stream()
                .map(f -> new Still(f.id(), f.fixable() ? f.fixedIn() : null))
                .toList(),
            List.of());
      }
      Comparison c = Comparison.of(original.findings(), rebuilt.findings());
      return new Vulnerabilities(
          rebuilt.status().name(),
          ids,
          c.fixedByRebuild().stream().map(Finding::id).distinct().toList(),
          c.stillPresent().stream().map(s -> new Still(s.rebuilt().id(), s.fixedIn())).toList(),
          c.newlyIntroduced().stream().map(Finding::id).distinct().toList());
    }
  }

  /**
   * One binary's checks and scan.
   *
   * @param originalGo the Go of the original it was compared with, or null
   * @param differences every difference from the original, each with its {@link
   *     BuildComparison.Kind}: only failures fail the {@code same-as-original} check
   * @param notComparable why the original's build settings could not be compared, or null
   */
  public record BinaryReport(
      String path,
      String goVersion,
      String mainPath,
      String originalGo,
      List<Check> checks,
      List<BuildComparison.Difference> differences,
      String notComparable,
      Vulnerabilities vulnerabilities) {
    public BinaryReport withVulnerabilities(Vulnerabilities v) {
      return new BinaryReport(
          path, goVersion, mainPath, originalGo, checks, differences, notComparable, v);
    }
  }
}
