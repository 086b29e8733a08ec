package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.provenance.ProvenanceCheck;
import dev.rebuild.core.verify.BuildComparison;
import dev.rebuild.core.verify.Check;
import dev.rebuild.core.verify.ReportWriters;
import dev.rebuild.core.verify.SkippedFile;
import dev.rebuild.core.verify.VerifiedBinary;
import dev.rebuild.core.verify.Verifier;
import dev.rebuild.core.verify.VerifyInput;
import dev.rebuild.core.verify.VerifyReport;
import dev.rebuild.core.vuln.FailOn;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.VulnerabilityDatabaseException;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Reads any Go binaries, directories and archives ({@code .tar.gz}, {@code .tgz}, {@code .tar},
 * {@code .zip}), reports each binary's toolchain, platform, modules and build settings, and checks
 * it against the Go vulnerability database: {@code mvn rebuild:verify
 * -Drebuild.artifacts=dist/app.tar.gz}. Writes {@code verify-report.json}, {@code verify-report.md}
 * and {@code verify-junit.xml} to {@code <outputDirectory>/verify/} and fails when a binary fails
 * the {@code failOn} gate. Given {@code original}, it also compares every binary with the binary of
 * the same command and platform in the original build and fails when one differs in more than what
 * the newer Go explains: {@code mvn rebuild:verify -Drebuild.artifacts=rebuilt
 * -Drebuild.original=dist}.
 *
 * @since 0.1.0
 */
@Mojo(name = "verify", requiresProject = false, threadSafe = true)
public class VerifyMojo extends RebuildMojoSupport {

  static final String OFFLINE_HINT =
      "For offline or air-gapped use, download https://vuln.go.dev/vulndb.zip and pass its path:"
          + " -Drebuild.vulndb=/path/to/vulndb.zip.";

  /**
   * Comma-separated files, directories and archives to verify, relative to the directory Maven runs
   * in: {@code dist,extra/tool.exe}. Directories are read recursively, archives member by member;
   * files that are not Go binaries are listed as skipped.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.artifacts", required = true)
  String artifacts;

  /**
   * Comma-separated files, directories and archives of an original build to compare the artifacts
   * with, in the same forms as {@code artifacts} and relative to the same directory: {@code
   * dist/app-linux-amd64.tar.gz,dist/app-windows-amd64.zip}. Every Go binary in the artifacts is
   * compared with the original binary of the same name (without {@code .exe}), GOOS and GOARCH; the
   * check {@code same-as-original} fails, and with it the goal, when the build information differs
   * in anything the Go release change does not explain (flags such as {@code -ldflags}, GOAMD64,
   * dependencies, the main module) or when no original matches. Unset: no comparison.
   *
   * @since 0.2.0
   */
  @Parameter(property = "rebuild.original")
  String original;

  /**
   * The Go vulnerability database: an http(s) server in the vuln.go.dev layout, a directory ({@code
   * /path} or {@code file:///path}) or a {@code vulndb.zip}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.vulndb", defaultValue = VulnerabilitySources.DEFAULT_LOCATION)
  String vulndb;

  /**
   * Which vulnerabilities fail the goal: {@code fixable} (one with a fixed version remains), {@code
   * any}, or {@code none} (report only).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.failOn", defaultValue = "fixable")
  String failOn;

  /**
   * The SLSA provenance of the artifacts, as a rebuild publishes it next to each archive ({@code
   * <archive>.intoto.jsonl}, signed or not): each artifact named in {@code artifacts} (files, not
   * directories) must be a subject of it by sha256, and every Go binary in it must report the Go
   * version and the {@code vcs.revision} the provenance records. A signature is not checked here:
   * {@code cosign verify-blob-attestation --key} does that. Unset: no provenance check.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.provenance")
  File provenance;

  /**
   * Where {@code verify/} with the reports is written.
   *
   * @since 0.1.0
   */
  @Parameter(
      property = "rebuild.outputDirectory",
      defaultValue = "${project.build.directory}/rebuild")
  File outputDirectory;

  /**
   * Skip the goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.skip", defaultValue = "false")
  boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skipped(skip)) {
      return;
    }
    FailOn gate = failOn(failOn);
    Path base = baseDirectory();
    List<VerifyInput> inputs = inputs(base);
    List<VerifyInput> originals = paths(base, cli("rebuild.original", original));
    Path reportDir = reportDirectory(outputDirectory, "verify");

    VerifyReport report;
    String location = databaseLocation(base, cli("rebuild.vulndb", vulndb));
    try (VulnerabilitySource db = VulnerabilitySources.open(location)) {
      report = new Verifier(db).verify(inputs, originals, gate);
    } catch (VulnerabilityDatabaseException e) {
      throw databaseFailure(e.getMessage(), e);
    } catch (RebuildException e) {
      if (Verifier.VULNDB.equals(e.parameter())) {
        throw databaseFailure(e.getMessage(), e);
      }
      if (e.kind() == RebuildException.Kind.TOOL) {
        throw new MojoExecutionException(e.getMessage(), e);
      }
      if (Verifier.ORIGINAL.equals(e.parameter())) {
        throw new MojoFailureException(
            e.getMessage()
                + " [parameter: <original> / -Drebuild.original]; or leave rebuild.original unset"
                + " to verify without comparing with an original build.",
            e);
      }
      throw new MojoFailureException(
          e.getMessage() + " [parameter: <artifacts> / -Drebuild.artifacts]", e);
    }

    List<Path> written;
    try {
      written = ReportWriters.writeAll(report, reportDir);
    } catch (IOException e) {
      throw reportWriteFailure(reportDir, e);
    }
    print(report);
    for (Path p : written) {
      getLog().info("[rebuild] Report: " + p);
    }
    List<String> provenanceFailures = checkProvenance(base, inputs);
    if (!report.passed()) {
      throw new MojoFailureException(
          failureMessage(report, reportDir)
              + (provenanceFailures.isEmpty()
                  ? ""
                  : "\nProvenance:\n  " + String.join("\n  ", provenanceFailures)));
    }
    if (!provenanceFailures.isEmpty()) {
      throw new MojoFailureException(
          "The artifacts do not match the provenance "
              + provenanceFile(base)
              + ":\n  "
              + String.join("\n  ", provenanceFailures)
              + "\nThe artifacts are not the rebuild this provenance describes; fetch them again from"
              + " where the rebuild was published, with the provenance next to them.");
    }
  }

  private Path provenanceFile(Path base) {
    String given = cli("rebuild.provenance", provenance == null ? null : provenance.getPath());
    return given == null || given.isBlank() ? null : base.resolve(given).normalize();
  }

  /** The failed provenance checks; empty when they pass or no provenance is given. */
  private List<String> checkProvenance(Path base, List<VerifyInput> inputs)
      throws MojoFailureException, MojoExecutionException {
    Path file = provenanceFile(base);
    if (file == null) {
      return List.of();
    }
    List<String> failures = new ArrayList<>();
    try {
      ProvenanceCheck check = ProvenanceCheck.read(file);
      ArtifactScanner scanner = new ArtifactScanner();
      for (VerifyInput in : inputs) {
        if (Files.isDirectory(in.path())) {
          throw new MojoFailureException(
              in.name()
                  + " is a directory; with -Drebuild.provenance name the archives themselves"
                  + " [parameter: <artifacts> / -Drebuild.artifacts]");
        }
        for (ProvenanceCheck.Result r : check.check(in.path(), scanner)) {
          String line = r.artifact() + ": " + r.check() + ": " + r.message();
          if (r.passed()) {
            getLog().info("[rebuild]   provenance ok: " + line);
          } else {
            getLog().warn("[rebuild]   provenance FAILED: " + line);
            failures.add(line);
          }
        }
      }
    } catch (RebuildException e) {
      if (e.kind() == RebuildException.Kind.TOOL) {
        throw new MojoExecutionException(e.getMessage(), e);
      }
      throw new MojoFailureException(
          e.getMessage()
              + " [parameter: <"
              + e.parameter()
              + "> / -Drebuild."
              + e.parameter()
              + "]",
          e);
    }
    getLog()
        .info(
            "[rebuild] Provenance "
                + file.getFileName()
                + ": "
                + (failures.isEmpty()
                    ? "PASSED"
                    : failures.size() + (failures.size() == 1 ? " check" : " checks") + " FAILED"));
    return failures;
  }

  private List<VerifyInput> inputs(Path base) throws MojoFailureException {
    List<VerifyInput> inputs = paths(base, cli("rebuild.artifacts", artifacts));
    if (inputs.isEmpty()) {
      throw new MojoFailureException(
          "No artifacts to verify. Name files, directories or archives:"
              + " -Drebuild.artifacts=dist,extra/tool.tar.gz (or <artifacts> in the plugin"
              + " configuration).");
    }
    return inputs;
  }

  /** Comma-separated paths, relative ones resolved against {@code base}; none when unset. */
  private static List<VerifyInput> paths(Path base, String given) {
    List<VerifyInput> inputs = new ArrayList<>();
    if (given != null) {
      for (String part : given.split(",")) {
        String name = part.strip();
        if (!name.isEmpty()) {
          inputs.add(new VerifyInput(name, base.resolve(name).normalize()));
        }
      }
    }
    return inputs;
  }

  /** A relative path names a directory or zip under the base directory, like the artifacts. */
  static String databaseLocation(Path base, String given) {
    if (given == null || given.isBlank()) {
      return VulnerabilitySources.DEFAULT_LOCATION;
    }
    String loc = given.strip();
    if (loc.contains("://") || loc.toLowerCase(Locale.ROOT).startsWith("file:")) {
      return loc;
    }
    return base.resolve(loc).normalize().toString();
  }

  static MojoExecutionException databaseFailure(String message, Exception cause) {
    return new MojoExecutionException(
        "Cannot read the Go vulnerability database: "
            + message
            + " [parameter: <vulndb> / -Drebuild.vulndb]"
            + (message.contains("vulndb.zip") ? "" : " " + OFFLINE_HINT),
        cause);
  }

  private void print(VerifyReport report) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"BINARY", "GO", "PLATFORM", "MAIN", "VULNS", "RESULT"});
    for (VerifiedBinary b : report.binaries()) {
      rows.add(
          new String[] {
            b.path(),
            b.goVersion(),
            (b.goos().isEmpty() ? "?" : b.goos()) + "/" + (b.goarch().isEmpty() ? "?" : b.goarch()),
            b.mainPath().isEmpty() ? "-" : b.mainPath(),
            Integer.toString(b.vulnerabilities().size()),
            b.passed() ? "ok" : "FAILED"
          });
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    getLog()
        .info(
            "[rebuild] Verified "
                + plural(report.binaries().size(), "Go binary", "Go binaries")
                + " against "
                + report.database()
                + " (failOn="
                + report.failOn().name().toLowerCase(Locale.ROOT)
                + ")");
    if (!report.binaries().isEmpty()) {
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder("[rebuild]   ");
        for (int i = 0; i < r.length; i++) {
          line.append(i == r.length - 1 ? r[i] : pad(r[i], width[i] + 2));
        }
        getLog().info(line.toString().stripTrailing());
      }
    }
    for (VerifiedBinary b : report.binaries()) {
      VerifyReport.OriginalMatch o = report.original(b);
      if (o != null && o.matched()) {
        getLog().info("[rebuild]   " + b.path() + ": compared with " + o.path());
      }
      for (Check c : b.failedChecks()) {
        getLog().warn("[rebuild]   " + b.path() + ": " + c.name() + ": " + c.message());
      }
    }
    for (SkippedFile s : report.skipped()) {
      String line = "[rebuild]   skipped " + s.path() + ": " + s.reason();
      if (s.corrupt()) {
        getLog().warn(line + " (corrupt)");
      } else {
        getLog().info(line);
      }
    }
    getLog()
        .info(
            "[rebuild] "
                + (report.passed() ? "PASSED" : "FAILED")
                + ": "
                + plural(report.binaries().size(), "binary", "binaries")
                + ", "
                + report.failed().size()
                + " failed, "
                + plural(report.vulnerabilityCount(), "vulnerability", "vulnerabilities")
                + ", "
                + report.skipped().size()
                + " skipped");
  }

  static String failureMessage(VerifyReport report, Path reportDir) {
    StringBuilder m = new StringBuilder("Verification failed for ");
    m.append(report.failed().size())
        .append(" of ")
        .append(plural(report.binaries().size(), "binary", "binaries"))
        .append(" (failOn=")
        .append(report.failOn().name().toLowerCase(Locale.ROOT))
        .append("):");
    for (VerifiedBinary b : report.failed()) {
      m.append("\n  ").append(b.path()).append(" (").append(b.goVersion()).append(")");
      for (Check c : b.failedChecks()) {
        if (c.name().equals(Check.VULNERABILITIES)) {
          List<Finding> offending = report.failOn().verdict(b.scan()).offending();
          if (offending.isEmpty()) {
            m.append("\n    vulnerabilities: ").append(c.message());
            continue;
          }
          m.append("\n    vulnerabilities: ")
              .append(
                  offending.stream().map(Finding::id).distinct().collect(Collectors.joining(", ")));
          String go = b.stdlibFixedIn();
          if (go != null) {
            m.append("\n    rebuild with ")
                .append(go)
                .append(" or later to fix the standard library findings");
          }
          offending.stream()
              .filter(f -> !f.isStdlib() && f.fixable())
              .map(f -> f.module() + "@" + f.fixedIn())
              .distinct()
              .forEach(u -> m.append("\n    upgrade ").append(u));
        } else if (c.name().equals(Verifier.SAME_AS_ORIGINAL)) {
          VerifyReport.OriginalMatch o = report.original(b);
          if (o == null || !o.matched()) {
            m.append("\n    ").append(c.name()).append(": ").append(c.message());
            continue;
          }
          List<BuildComparison.Difference> failures =
              o.comparison().of(BuildComparison.Kind.FAILURE);
          m.append("\n    ")
              .append(c.name())
              .append(": differs from ")
              .append(o.path())
              .append(" (")
              .append(o.goVersion())
              .append(") in ")
              .append(
                  failures.stream()
                      .map(BuildComparison.Difference::field)
                      .collect(Collectors.joining(", ")));
          failures.forEach(d -> m.append("\n      ").append(d.describe()));
        } else {
          m.append("\n    ").append(c.name()).append(": ").append(c.message());
        }
      }
    }
    m.append("\nReports: ").append(reportDir).append('.');
    boolean gateFailed =
        report.failed().stream()
            .flatMap(b -> b.failedChecks().stream())
            .anyMatch(c -> c.name().equals(Check.VULNERABILITIES));
    if (gateFailed) {
      m.append(" To report vulnerabilities without failing: -Drebuild.failOn=none.");
    }
    return m.toString();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String plural(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
