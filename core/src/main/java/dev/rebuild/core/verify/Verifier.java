package dev.rebuild.core.verify;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.buildinfo.ScannedFile;
import dev.rebuild.core.vuln.FailOn;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.ModuleRef;
import dev.rebuild.core.vuln.ScanResult;
import dev.rebuild.core.vuln.ScanStatus;
import dev.rebuild.core.vuln.ScanTarget;
import dev.rebuild.core.vuln.VulnerabilityDatabaseException;
import dev.rebuild.core.vuln.VulnerabilityScanner;
import dev.rebuild.core.vuln.VulnerabilitySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Verifies files, directories and archives: reads the Go build information of every file in them,
 * scans every Go binary against the Go vulnerability database and holds it to a {@link FailOn}
 * gate. Files that are not Go binaries are listed as skipped.
 */
public final class Verifier {

  /** The configuration key of the inputs, for {@link RebuildException#parameter()}. */
  public static final String ARTIFACTS = "artifacts";

  /** The configuration key of the database, for {@link RebuildException#parameter()}. */
  public static final String VULNDB = "vulndb";

  private final ArtifactScanner files;
  private final VulnerabilitySource database;

  public Verifier(ArtifactScanner files, VulnerabilitySource database) {
    this.files = Objects.requireNonNull(files, "files");
    this.database = Objects.requireNonNull(database, "database");
  }

  /** Reads with a default {@link ArtifactScanner}. */
  public Verifier(VulnerabilitySource database) {
    this(new ArtifactScanner(), database);
  }

  /**
   * Verifies every input; nothing is written.
   *
   * @throws RebuildException {@link RebuildException.Kind#BAD_INPUT} ({@value #ARTIFACTS}) when an
   *     input does not exist or none is given; {@link RebuildException.Kind#TOOL} when a file
   *     cannot be read, or ({@value #VULNDB}) when the database cannot
   */
  public VerifyReport verify(List<VerifyInput> inputs, FailOn failOn) throws RebuildException {
    Objects.requireNonNull(failOn, "failOn");
    if (inputs.isEmpty()) {
      throw RebuildException.badInput(ARTIFACTS, "no artifacts to verify were given");
    }
    for (VerifyInput in : inputs) {
      if (!Files.exists(in.path(), LinkOption.NOFOLLOW_LINKS)) {
        throw RebuildException.badInput(
            ARTIFACTS,
            "'"
                + in.name()
                + "' does not exist ("
                + in.path().toAbsolutePath()
                + "); name existing files, directories or archives");
      }
    }
    VulnerabilityScanner scanner = new VulnerabilityScanner(database);
    List<VerifiedBinary> binaries = new ArrayList<>();
    List<SkippedFile> skipped = new ArrayList<>();
    for (VerifyInput in : inputs) {
      for (ScannedFile file : scan(in)) {
        String path = display(in, file.path());
        ReadResult result = file.result();
        if (result instanceof ReadResult.GoBinary go) {
          binaries.add(verify(scanner, path, file, go.info(), failOn));
        } else if (result instanceof ReadResult.NotGo n) {
          skipped.add(new SkippedFile(path, file.size(), n.reason(), false));
        } else if (result instanceof ReadResult.Corrupt c) {
          skipped.add(new SkippedFile(path, file.size(), c.reason(), true));
        }
      }
    }
    return new VerifyReport(failOn, Redaction.redact(database.location()), binaries, skipped);
  }

  /**
   * What a vulnerability scan needs from build information: the Go version, GOOS/GOARCH, the main
   * module when it has a version, and every dependency; a replaced module is given as its
   * replacement, the code the binary carries.
   */
  public static ScanTarget scanTarget(String name, BuildInfo info) {
    List<ModuleRef> modules = new ArrayList<>();
    Module main = info.main();
    if (main != null && !main.version().isEmpty() && !main.effective().path().isBlank()) {
      modules.add(ref(main));
    }
    for (Module dep : info.deps()) {
      if (!dep.effective().path().isBlank()) {
        modules.add(ref(dep));
      }
    }
    return new ScanTarget(name, info.goVersion(), info.goos(), info.goarch(), modules);
  }

  private static ModuleRef ref(Module m) {
    Module e = m.effective();
    return new ModuleRef(e.path(), e.version());
  }

  private List<ScannedFile> scan(VerifyInput in) throws RebuildException {
    try {
      return files.scan(in.path());
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + in.name() + ": " + e, e);
    }
  }

  /** The scanner names files relative to a directory, or by their file name. */
  private static String display(VerifyInput in, String scanned) {
    if (Files.isDirectory(in.path(), LinkOption.NOFOLLOW_LINKS)) {
      String dir = in.name().replaceAll("/+$", "");
      return dir.isEmpty() || dir.equals(".") ? scanned : dir + "/" + scanned;
    }
    Path fileName = in.path().getFileName();
    String own = fileName == null ? "" : fileName.toString();
    return scanned.startsWith(own) ? in.name() + scanned.substring(own.length()) : scanned;
  }

  private VerifiedBinary verify(
      VulnerabilityScanner scanner, String path, ScannedFile file, BuildInfo info, FailOn failOn)
      throws RebuildException {
    ScanResult scan;
    try {
      scan = scanner.scan(scanTarget(path, info));
    } catch (VulnerabilityDatabaseException e) {
      throw new RebuildException(RebuildException.Kind.TOOL, VULNDB, e.getMessage(), e);
    }
    return new VerifiedBinary(
        path, file.size(), info, scan, List.of(vulnerabilityCheck(info, scan, failOn)));
  }

  /** The {@code vulnerabilities} check of one binary under the {@code failOn} gate. */
  public static Check vulnerabilityCheck(BuildInfo info, ScanResult scan, FailOn failOn) {
    FailOn.Verdict verdict = failOn.verdict(scan);
    String gate = "failOn=" + failOn.name().toLowerCase(Locale.ROOT);
    List<Finding> all = scan.findings();
    String found =
        all.isEmpty()
            ? "no known vulnerabilities"
            : all.size() + (all.size() == 1 ? " vulnerability" : " vulnerabilities");
    String checked =
        scan.status() == ScanStatus.SCANNED
            ? " (standard library " + scan.stdlibVersion() + " and modules checked)"
            : " in modules; the standard library was not checked: '"
                + info.goVersion()
                + "' is not a Go release (a development toolchain?)";
    if (!verdict.failed()) {
      String note =
          all.isEmpty()
              ? ""
              : failOn == FailOn.NONE ? "; " + gate + ": reported only" : "; none fails " + gate;
      return Check.passed(Check.VULNERABILITIES, found + checked + note);
    }
    StringBuilder m = new StringBuilder(found).append(checked).append("; ");
    if (verdict.offending().isEmpty()) {
      m.append("an unchecked standard library fails ").append(gate);
    } else {
      m.append(verdict.offending().size()).append(" fail ").append(gate).append(": ");
      m.append(
          verdict.offending().stream().map(Verifier::describe).collect(Collectors.joining(", ")));
    }
    return Check.failed(Check.VULNERABILITIES, m.toString());
  }

  /** {@code GO-2024-2887 (stdlib 1.21.13, fixed in go1.22.4)}. */
  static String describe(Finding f) {
    return f.id()
        + " ("
        + f.module()
        + " "
        + f.foundVersion()
        + (f.fixable() ? ", fixed in " + f.fixedIn() : ", no fix yet")
        + ")";
  }
}
