package dev.rebuild.core.verify;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.GoBuildInfoModel;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Verifies files, directories and archives: reads the Go build information of every file in them,
 * scans every Go binary against the Go vulnerability database and holds it to a {@link FailOn}
 * gate. Files that are not Go binaries are listed as skipped. Given an original build as well, it
 * compares every binary with the original of the same command and platform ({@link
 * #SAME_AS_ORIGINAL}).
 */
public final class Verifier {

  /** The configuration key of the inputs, for {@link RebuildException#parameter()}. */
  public static final String ARTIFACTS = "artifacts";

  /** The configuration key of the database, for {@link RebuildException#parameter()}. */
  public static final String VULNDB = "vulndb";

  /** The configuration key of the original build, for {@link RebuildException#parameter()}. */
  public static final String ORIGINAL = "original";

  /**
   * The check that a binary is its original but for Go: passed when {@link
   * BuildComparison#equalButForGo()}, with {@link BuildComparison#summary()} as the message; failed
   * when no original matches. Added after {@link Check#VULNERABILITIES} when an original is given.
   */
  public static final String SAME_AS_ORIGINAL = "same-as-original";

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
    return verify(inputs, List.of(), failOn);
  }

  /**
   * Verifies every input and, when {@code originals} is not empty, compares every Go binary with
   * the original binary of the same command and platform found in {@code originals}: the check
   * {@value #SAME_AS_ORIGINAL} is added after the vulnerability gate, and the report's {@link
   * VerifyReport#originals()} holds what each binary was compared with. A binary matches an
   * original with the same base name (without {@code .exe}), GOOS and GOARCH; among several, the
   * one with the same architecture variable (GOAMD64, GOARM, ...; a different one is a difference
   * the comparison reports, not a reason not to match). An original built by Go before 1.18 records
   * no platform: when none records the binary's, it matches by name alone if it is the only such
   * original of that name; several are ambiguous, and the check fails naming them. Nothing is
   * written.
   *
   * @param originals the original build: files, directories and archives; empty for none
   * @throws RebuildException {@link RebuildException.Kind#BAD_INPUT} ({@value #ARTIFACTS} or
   *     {@value #ORIGINAL}) when an input does not exist or none is given; {@link
   *     RebuildException.Kind#TOOL} when a file cannot be read, or ({@value #VULNDB}) when the
   *     database cannot
   */
  public VerifyReport verify(List<VerifyInput> inputs, List<VerifyInput> originals, FailOn failOn)
      throws RebuildException {
    Objects.requireNonNull(failOn, "failOn");
    if (inputs.isEmpty()) {
      throw RebuildException.badInput(ARTIFACTS, "no artifacts to verify were given");
    }
    requireExisting(ARTIFACTS, inputs);
    requireExisting(ORIGINAL, originals);
    List<OriginalBinary> originalBinaries = new ArrayList<>();
    for (VerifyInput in : originals) {
      for (ScannedFile file : scan(in)) {
        if (file.result() instanceof ReadResult.GoBinary go) {
          originalBinaries.add(new OriginalBinary(display(in, file.path()), go.info()));
        }
      }
    }
    String originalNames =
        originals.stream().map(VerifyInput::name).collect(Collectors.joining(","));
    VulnerabilityScanner scanner = new VulnerabilityScanner(database);
    List<VerifiedBinary> binaries = new ArrayList<>();
    List<SkippedFile> skipped = new ArrayList<>();
    Map<String, VerifyReport.OriginalMatch> matches = new LinkedHashMap<>();
    for (VerifyInput in : inputs) {
      for (ScannedFile file : scan(in)) {
        String path = display(in, file.path());
        ReadResult result = file.result();
        if (result instanceof ReadResult.GoBinary go) {
          VerifiedBinary binary = verify(scanner, path, file, go.info(), failOn);
          if (!originals.isEmpty()) {
            Match match = matchOriginal(path, go.info(), originalBinaries, originalNames);
            binary = binary.withChecks(List.of(match.check()));
            matches.put(path, match.original());
          }
          binaries.add(binary);
        } else if (result instanceof ReadResult.NotGo n) {
          skipped.add(new SkippedFile(path, file.size(), n.reason(), false));
        } else if (result instanceof ReadResult.Corrupt c) {
          skipped.add(new SkippedFile(path, file.size(), c.reason(), true));
        }
      }
    }
    return new VerifyReport(
        failOn, Redaction.redact(database.location()), binaries, skipped, matches);
  }

  private static void requireExisting(String parameter, List<VerifyInput> inputs)
      throws RebuildException {
    for (VerifyInput in : inputs) {
      if (!Files.exists(in.path(), LinkOption.NOFOLLOW_LINKS)) {
        throw RebuildException.badInput(
            parameter,
            "'"
                + in.name()
                + "' does not exist ("
                + in.path().toAbsolutePath()
                + "); name existing files, directories or archives");
      }
    }
  }

  /** A Go binary of the original build, named as reports name it. */
  record OriginalBinary(String path, BuildInfo info) {}

  /** The {@value #SAME_AS_ORIGINAL} check of one binary and what it was compared with. */
  record Match(Check check, VerifyReport.OriginalMatch original) {}

  /**
   * Finds the original of the binary at {@code path} among {@code originals} and compares it; see
   * {@link #verify(List, List, FailOn)} for the rules.
   *
   * @param originalNames how the original inputs are named in messages
   */
  static Match matchOriginal(
      String path, BuildInfo info, List<OriginalBinary> originals, String originalNames) {
    String name = commandName(path);
    List<OriginalBinary> named =
        originals.stream().filter(o -> commandName(o.path()).equals(name)).toList();
    String goos = info.goos();
    String goarch = info.goarch();
    boolean platformKnown = goos != null && goarch != null;
    String platform = platformKnown ? goos + "/" + goarch : "an unrecorded platform";
    List<OriginalBinary> samePlatform =
        platformKnown
            ? named.stream()
                .filter(o -> goos.equals(o.info().goos()) && goarch.equals(o.info().goarch()))
                .toList()
            : List.of();
    List<OriginalBinary> candidates;
    String why;
    if (!samePlatform.isEmpty()) {
      candidates = narrowByArchVariable(info, samePlatform);
      why = "originals named " + name + " for " + platform;
    } else if (!platformKnown) {
      candidates = named;
      why = "originals named " + name + " and the binary records no platform to tell them apart";
    } else {
      // Go before 1.18 records no platform: only a name that is unique identifies the original.
      candidates =
          named.stream().filter(o -> o.info().goos() == null || o.info().goarch() == null).toList();
      why =
          "originals named "
              + name
              + " record no platform (built by Go before 1.18), so the one for "
              + platform
              + " cannot be told apart";
    }
    if (candidates.isEmpty()) {
      String others =
          named.isEmpty()
              ? ""
              : " (only for "
                  + named.stream()
                      .map(o -> o.info().goos() + "/" + o.info().goarch())
                      .distinct()
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")";
      return new Match(
          Check.failed(
              SAME_AS_ORIGINAL,
              "no original binary named "
                  + name
                  + " for "
                  + platform
                  + " in "
                  + originalNames
                  + others),
          VerifyReport.OriginalMatch.none());
    }
    if (candidates.size() > 1) {
      return new Match(
          Check.failed(
              SAME_AS_ORIGINAL,
              "ambiguous: "
                  + candidates.size()
                  + " "
                  + why
                  + ": "
                  + candidates.stream()
                      .map(OriginalBinary::path)
                      .collect(Collectors.joining(", "))),
          VerifyReport.OriginalMatch.none());
    }
    OriginalBinary original = candidates.get(0);
    BuildComparison comparison = BuildComparison.of(original.info(), info);
    return new Match(
        new Check(SAME_AS_ORIGINAL, comparison.equalButForGo(), comparison.summary()),
        new VerifyReport.OriginalMatch(original.path(), original.info().goVersion(), comparison));
  }

  /**
   * Among originals for the same platform, those with the binary's architecture variable (GOAMD64,
   * GOARM, ...) when more than one is there; the variable is not required to match, a difference is
   * the comparison's to report.
   */
  private static List<OriginalBinary> narrowByArchVariable(
      BuildInfo info, List<OriginalBinary> samePlatform) {
    if (samePlatform.size() < 2) {
      return samePlatform;
    }
    String key = GoBuildInfoModel.archKey(info.goarch()).orElse(null);
    String value = key == null ? null : info.setting(key);
    if (value == null) {
      return samePlatform;
    }
    List<OriginalBinary> same =
        samePlatform.stream().filter(o -> value.equals(o.info().setting(key))).toList();
    return same.isEmpty() ? samePlatform : same;
  }

  /**
   * The command a binary's path names: the base name of the file or archive member, without {@code
   * .exe}; {@code dist/demo.tar.gz!demo/bin/hello.exe} is {@code hello}.
   */
  static String commandName(String path) {
    String base = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('!')) + 1);
    return base.toLowerCase(Locale.ROOT).endsWith(".exe")
        ? base.substring(0, base.length() - ".exe".length())
        : base;
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
