package dev.rebuild.core.stage;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.buildinfo.ScannedFile;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.release.Verification;
import dev.rebuild.core.release.Verification.BinaryReport;
import dev.rebuild.core.release.Verification.Check;
import dev.rebuild.core.release.Verification.Vulnerabilities;
import dev.rebuild.core.verify.BuildComparison;
import dev.rebuild.core.verify.ReportWriters;
import dev.rebuild.core.verify.VerifiedBinary;
import dev.rebuild.core.verify.Verifier;
import dev.rebuild.core.verify.VerifyReport;
import dev.rebuild.core.vuln.FailOn;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.ScanResult;
import dev.rebuild.core.vuln.ScanTarget;
import dev.rebuild.core.vuln.VulnerabilityDatabaseException;
import dev.rebuild.core.vuln.VulnerabilityScanner;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The verify stage of {@code rebuild:release}: reads back every binary of every packed artifact,
 * checks it is what was asked for (Go version, platform, the tag's commit), compares it with the
 * original release's binary of the same name and platform (dependencies and build settings must be
 * equal: the proof the rebuild changed nothing but the toolchain), and scans original and rebuild
 * against the Go vulnerability database. Any failed check stops the release before anything is put
 * in place.
 */
public final class VerifyStage {

  /**
   * What the verification reads.
   *
   * @param go the rebuild's Go as the binaries must report it ({@code go1.22.12})
   * @param dist the packed artifacts
   * @param reports where {@code verification-report.md} and {@code verification/} are written
   * @param work scratch space (archives are unpacked, originals downloaded here)
   * @param originals per target, its original artifact when already known (read by the recipe
   *     inference); other targets' originals are found by the archive name template
   */
  public record Input(
      String tag,
      String commit,
      String go,
      ReleaseNames names,
      Recipe recipe,
      List<ReleaseManifest.Artifact> artifacts,
      Path dist,
      Path reports,
      Path work,
      ReleaseListener listener,
      Map<Platform, Path> originals) {}

  private final VerificationSettings settings;
  private final OriginalRelease originals;

  public VerifyStage(VerificationSettings settings, OriginalRelease originals) {
    this.settings = settings;
    this.originals = originals;
  }

  /**
   * Verifies every artifact, writes the reports, and returns the manifest's verification section.
   *
   * @throws RebuildException a {@link RebuildException.Kind#VERDICT} when a check fails or a
   *     vulnerability remains that {@code failOn} does not accept; the reports are written first
   */
  public Verification run(Input ctx) throws RebuildException {
    Path staged = ctx.dist();
    ArtifactScanner scanner = new ArtifactScanner(ctx.work());
    List<BinaryReport> reports = new ArrayList<>();
    List<String> differences = new ArrayList<>();
    List<ScanTarget> rebuiltTargets = new ArrayList<>();
    List<ScanTarget> originalTargets = new ArrayList<>();
    // For each rebuilt binary, the index of its original in originalTargets, or -1.
    List<Integer> originalOf = new ArrayList<>();
    List<ScannedFile> rebuiltFiles = new ArrayList<>();
    Map<String, Set<String>> originalBinaries = new TreeMap<>();
    Map<String, Set<String>> rebuiltFor = new TreeMap<>();
    Map<String, List<String>> artifactsFor = new TreeMap<>();
    Map<String, Verification.OriginalArtifact> originalFiles = new TreeMap<>();
    try {
      for (ReleaseManifest.Artifact artifact : ctx.artifacts()) {
        Platform platform = platformOf(ctx, artifact);
        Map<String, BuildInfo> original = new TreeMap<>();
        String originalName = null;
        if (settings.original() != null) {
          Path file = ctx.originals().get(platform);
          if (file == null) {
            file =
                originals.locate(
                    ctx.recipe().archive(), ctx.names(), ctx.work(), artifact, platform);
          }
          originalName = file.getFileName().toString();
          // An image original arrives as a directory of its binaries: no one file to name.
          if (Files.isRegularFile(file)) {
            originalFiles.putIfAbsent(originalName, originalArtifact(file, artifact.name()));
          }
          for (ScannedFile f : scanner.scan(file)) {
            if (f.result() instanceof ReadResult.GoBinary go) {
              original.put(baseName(f.path()), go.info());
            }
          }
        }
        Set<String> seen = new TreeSet<>();
        for (ScannedFile f : scanner.scan(staged.resolve(artifact.name()))) {
          if (!(f.result() instanceof ReadResult.GoBinary go)) {
            continue;
          }
          BuildInfo info = go.info();
          rebuiltFiles.add(f);
          String name = baseName(f.path());
          if (artifact.kind().equals("binary") && ctx.originals().containsKey(platform)) {
            // A bare binary compared with its target's binaries (an image's): by its own name.
            name = PackageStage.binaryOfBareName(name, platform);
          }
          seen.add(name);
          List<Check> checks = new ArrayList<>(identityChecks(ctx, platform, info));
          BuildInfo before = original.get(name);
          BuildComparison comparison = null;
          if (settings.original() != null) {
            if (before == null) {
              String missing = "binary missing from the original " + originalName;
              checks.add(new Check(Verifier.SAME_AS_ORIGINAL, false, missing));
              differences.add(f.path() + ": " + missing);
            } else {
              comparison = BuildComparison.of(before, info);
              checks.add(
                  new Check(
                      Verifier.SAME_AS_ORIGINAL, comparison.equalButForGo(), comparison.summary()));
              for (BuildComparison.Difference d : comparison.of(BuildComparison.Kind.FAILURE)) {
                differences.add(f.path() + ": " + d.describe());
              }
              if (comparison.notComparable() != null) {
                ctx.listener().info(f.path() + ": " + comparison.notComparable());
              }
            }
          }
          for (Check c : checks) {
            if (!c.passed() && !c.name().equals(Verifier.SAME_AS_ORIGINAL)) {
              differences.add(f.path() + ": " + c.message());
            }
          }
          rebuiltTargets.add(Verifier.scanTarget(f.path(), info));
          originalOf.add(before == null ? -1 : originalTargets.size());
          if (before != null) {
            originalTargets.add(Verifier.scanTarget(originalName + "!" + name, before));
          }
          reports.add(
              new BinaryReport(
                  f.path(),
                  info.goVersion(),
                  info.path(),
                  before == null ? null : before.goVersion(),
                  checks,
                  comparison == null ? List.of() : comparison.differences(),
                  comparison == null ? null : comparison.notComparable(),
                  null));
        }
        if (originalName != null) {
          // Bare binaries of one target share one original (an image's binaries): what the
          // rebuild lacks is judged over all of them.
          originalBinaries
              .computeIfAbsent(originalName, k -> new TreeSet<>())
              .addAll(original.keySet());
          rebuiltFor.computeIfAbsent(originalName, k -> new TreeSet<>()).addAll(seen);
          artifactsFor.computeIfAbsent(originalName, k -> new ArrayList<>()).add(artifact.name());
        }
      }
      for (Map.Entry<String, Set<String>> e : originalBinaries.entrySet()) {
        for (String name : e.getValue()) {
          if (!rebuiltFor.get(e.getKey()).contains(name)) {
            differences.add(
                String.join(", ", artifactsFor.get(e.getKey()))
                    + ": the original "
                    + e.getKey()
                    + " has "
                    + name
                    + ", the rebuild not");
          }
        }
      }
    } catch (IOException e) {
      throw RebuildException.tool("cannot read the artifacts back: " + e.getMessage(), e);
    }

    List<ScanResult> scans = new ArrayList<>();
    Map<String, Finding> findings = new TreeMap<>();
    List<String> vulnerable =
        scan(ctx, reports, rebuiltTargets, originalTargets, originalOf, scans, findings);
    Verification verification =
        new Verification(
            settings.original() == null ? null : Redaction.redact(settings.original()),
            Redaction.redact(settings.vulndb()),
            settings.failOn().name().toLowerCase(Locale.ROOT),
            reports,
            List.copyOf(originalFiles.values()));
    writeReport(ctx, verification, differences, vulnerable, findings);
    for (String line : VerificationReport.summary(verification)) {
      ctx.listener().info(line);
    }
    writeMachineReports(ctx, reports, rebuiltFiles, scans);
    if (!differences.isEmpty()) {
      throw new RebuildException(
          RebuildException.Kind.VERDICT,
          "original",
          "the rebuild differs from what was asked for or from the original release in more than"
              + " the Go version; nothing was committed:\n  "
              + String.join("\n  ", differences)
              + "\nFix the recipe (<ldflags>, <env>, <tags>, <trimpath>, <buildFlags>) to match how"
              + " the original was built. Report: "
              + ctx.reports().resolve(REPORT));
    }
    if (!vulnerable.isEmpty()) {
      throw new RebuildException(
          RebuildException.Kind.VERDICT,
          "failOn",
          "vulnerabilities remain in the rebuild (failOn="
              + settings.failOn().name().toLowerCase(Locale.ROOT)
              + "); nothing was committed:\n  "
              + String.join("\n  ", vulnerable)
              + "\nRebuild with a Go that fixes them (-Dgo=...), or set rebuild.failOn=none to"
              + " publish anyway. Report: "
              + ctx.reports().resolve(REPORT));
    }
    return verification;
  }

  /** The verification report's file name under the tag directory. */
  public static final String REPORT = "verification-report.md";

  private List<Check> identityChecks(Input ctx, Platform platform, BuildInfo info) {
    List<Check> checks = new ArrayList<>();
    String wantGo = ctx.go();
    String gotGo = String.valueOf(info.goVersion()).split(" ")[0];
    checks.add(
        new Check(
            "go-version",
            wantGo.equals(gotGo),
            "built with " + info.goVersion() + ", asked for " + wantGo));
    boolean platformOk =
        platform.os().equals(info.goos())
            && platform.arch().equals(info.goarch())
            && (platform.variant().isEmpty()
                || platform
                    .variant()
                    .equals(info.setting(platform.arch().equals("arm") ? "GOARM" : "GOAMD64")));
    checks.add(
        new Check(
            "platform",
            platformOk,
            "built for " + info.goos() + "/" + info.goarch() + ", target " + platform));
    boolean vcsOk =
        ctx.commit().equals(info.setting("vcs.revision"))
            && "false".equals(info.setting("vcs.modified"));
    checks.add(
        new Check(
            "vcs",
            vcsOk,
            "vcs.revision="
                + info.setting("vcs.revision")
                + " vcs.modified="
                + info.setting("vcs.modified")
                + ", expected the tag's commit "
                + ctx.commit()
                + " unmodified"));
    return checks;
  }

  private List<String> scan(
      Input ctx,
      List<BinaryReport> reports,
      List<ScanTarget> rebuiltTargets,
      List<ScanTarget> originalTargets,
      List<Integer> originalOf,
      List<ScanResult> scans,
      Map<String, Finding> findings)
      throws RebuildException {
    List<String> offending = new ArrayList<>();
    List<ScanResult> rebuilt;
    List<ScanResult> originals;
    try (VulnerabilitySource source = VulnerabilitySources.open(settings.vulndb())) {
      VulnerabilityScanner scanner = new VulnerabilityScanner(source);
      rebuilt = scanner.scan(rebuiltTargets);
      originals = scanner.scan(originalTargets);
    } catch (VulnerabilityDatabaseException e) {
      if (settings.failOn() == FailOn.NONE) {
        ctx.listener().info("vulnerability scan skipped: " + e.getMessage());
        return offending;
      }
      throw new RebuildException(
          RebuildException.Kind.TOOL,
          "vulndb",
          e.getMessage() + "\n(or set rebuild.failOn=none to release without the scan)",
          e);
    } catch (Exception e) {
      throw RebuildException.tool("vulnerability scan failed: " + e.getMessage(), e);
    }
    scans.addAll(rebuilt);
    for (ScanResult r : originals) {
      r.findings().forEach(f -> findings.putIfAbsent(f.id(), f));
    }
    for (ScanResult r : rebuilt) {
      r.findings().forEach(f -> findings.put(f.id(), f));
    }
    for (int i = 0; i < rebuilt.size(); i++) {
      ScanResult r = rebuilt.get(i);
      ScanResult before = originalOf.get(i) < 0 ? null : originals.get(originalOf.get(i));
      BinaryReport report = reports.get(i);
      reports.set(i, report.withVulnerabilities(Vulnerabilities.of(r, before)));
      FailOn.Verdict verdict = settings.failOn().verdict(r);
      for (Finding f : verdict.offending()) {
        offending.add(
            r.name()
                + ": "
                + f.id()
                + " in "
                + f.module()
                + " "
                + f.foundVersion()
                + (f.fixable() ? " (fixed in " + f.fixedIn() + ")" : ""));
      }
      if (verdict.stdlibUnknown()) {
        offending.add(
            r.name() + ": the standard library version is unknown (" + report.goVersion() + ")");
      }
    }
    return offending;
  }

  private Verification.OriginalArtifact originalArtifact(Path file, String rebuilt)
      throws IOException {
    String name = file.getFileName().toString();
    String location = settings.original();
    String uri =
        location.startsWith("http://") || location.startsWith("https://")
            ? Redaction.redact(location.endsWith("/") ? location + name : location + "/" + name)
            : null;
    return new Verification.OriginalArtifact(name, uri, Digest.of(file).hex(), rebuilt);
  }

  private static String baseName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('!'));
    return path.substring(slash + 1);
  }

  private static Platform platformOf(Input ctx, ReleaseManifest.Artifact artifact) {
    for (Platform p : ctx.recipe().targets()) {
      if (p.os().equals(artifact.os()) && p.archLabel().equals(artifact.arch())) {
        return p;
      }
    }
    throw new IllegalStateException("no target for " + artifact.name());
  }

  private static void writeReport(
      Input ctx,
      Verification v,
      List<String> differences,
      List<String> vulnerable,
      Map<String, Finding> findings)
      throws RebuildException {
    String md =
        VerificationReport.markdown(
            ctx.tag(), ctx.go(), ctx.commit(), v, differences, vulnerable, findings);
    try {
      Files.createDirectories(ctx.reports());
      FileTrees.writeAtomically(ctx.reports().resolve(REPORT), md.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw RebuildException.tool("cannot write the verification report: " + e.getMessage(), e);
    }
  }

  /**
   * The same facts as {@code rebuild:verify} writes them ({@code verification/verify-report.json}
   * and {@code verify-junit.xml} for Jenkins' junit step; the Markdown is {@value #REPORT} alone),
   * with this stage's checks next to the vulnerability gate. Skipped when the scan could not run.
   */
  private void writeMachineReports(
      Input ctx, List<BinaryReport> reports, List<ScannedFile> files, List<ScanResult> scans)
      throws RebuildException {
    if (scans.size() != files.size()) {
      return;
    }
    List<VerifiedBinary> binaries = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      ScannedFile f = files.get(i);
      BuildInfo info = ((ReadResult.GoBinary) f.result()).info();
      List<dev.rebuild.core.verify.Check> checks = new ArrayList<>();
      checks.add(Verifier.vulnerabilityCheck(info, scans.get(i), settings.failOn()));
      for (Check c : reports.get(i).checks()) {
        checks.add(new dev.rebuild.core.verify.Check(c.name(), c.passed(), c.message()));
      }
      binaries.add(new VerifiedBinary(f.path(), f.size(), info, scans.get(i), checks));
    }
    VerifyReport report =
        new VerifyReport(
            settings.failOn(), Redaction.redact(settings.vulndb()), binaries, List.of());
    try {
      ReportWriters.writeMachineReadable(report, ctx.reports().resolve(REPORT_DIRECTORY));
    } catch (IOException e) {
      throw RebuildException.tool("cannot write the verification reports: " + e.getMessage(), e);
    }
  }

  /** Where the JSON, Markdown and JUnit reports go, under the tag directory. */
  public static final String REPORT_DIRECTORY = "verification";
}
