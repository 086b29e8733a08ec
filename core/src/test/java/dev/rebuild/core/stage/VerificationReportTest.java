package dev.rebuild.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.release.Verification;
import dev.rebuild.core.release.Verification.BinaryReport;
import dev.rebuild.core.release.Verification.Check;
import dev.rebuild.core.release.Verification.Vulnerabilities;
import dev.rebuild.core.verify.BuildComparison.Difference;
import dev.rebuild.core.verify.BuildComparison.Kind;
import dev.rebuild.core.vuln.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The release's verification report groups what 54 binaries would otherwise repeat. */
class VerificationReportTest {

  static final Difference MODULE =
      new Difference(
          "main module",
          "example.com/demo@(devel)",
          "example.com/demo@v1.0.0",
          Kind.EXPECTED,
          "expected with go1.24: Go 1.24 and later stamp the main module's version");
  static final Difference ARM64 =
      new Difference(
          "setting GOARM64", null, "v8.0", Kind.EXPECTED, "expected with go1.23: not recorded");
  static final Difference LDFLAGS =
      new Difference("setting -ldflags", "-s -w", "-s", Kind.FAILURE, null);

  static BinaryReport binary(String platform, List<Difference> differences, boolean failed) {
    List<Check> checks = new ArrayList<>();
    checks.add(new Check("go-version", true, ""));
    checks.add(new Check("same-as-original", !failed, ""));
    return new BinaryReport(
        "demo-1.0.0." + platform + ".go1.27.4.tar.gz!demo/bin/hello",
        "go1.27.4",
        "example.com/demo/cmd/hello",
        "go1.21.5",
        checks,
        differences,
        null,
        new Vulnerabilities(
            "SCANNED",
            List.of("GO-2025-3373"),
            List.of("GO-2024-3105", "GO-2024-3106"),
            List.of(new Vulnerabilities.Still("GO-2025-3373", "go1.27.5")),
            List.of()));
  }

  @Test
  void eachVulnerabilityAndDifferenceAppearsOnceWithTheNumberOfBinaries() {
    Verification v =
        new Verification(
            "/releases/demo",
            "file:///vulndb",
            "none",
            List.of(
                binary("linux-amd64", List.of(MODULE), false),
                binary("linux-arm64", List.of(MODULE, ARM64), false),
                binary("darwin-arm64", List.of(MODULE, ARM64, LDFLAGS), true)));
    Map<String, Finding> findings =
        Map.of(
            "GO-2024-3105",
            new Finding("GO-2024-3105", List.of(), "stdlib", "1.21.5", "1.22.7", "parser depth"),
            "GO-2024-3106",
            new Finding("GO-2024-3106", List.of(), "stdlib", "1.21.5", "1.22.7", "gob depth"),
            "GO-2025-3373",
            new Finding("GO-2025-3373", List.of(), "stdlib", "1.27.4", "1.27.5", "x509 | names"));
    String md =
        VerificationReport.markdown(
            "v1.0.0",
            "go1.27.4",
            "abc",
            v,
            List.of("darwin: setting -ldflags: -s -w -> -s"),
            List.of(),
            findings);

    assertTrue(md.contains("3 binaries, 1 with failed checks."), md);
    assertTrue(md.contains("## Vulnerabilities fixed by the rebuild (2)"), md);
    assertTrue(md.contains("| GO-2024-3105 | stdlib | go1.22.7 | 3 | parser depth |"), md);
    assertTrue(md.contains("## Vulnerabilities still present (1)"), md);
    assertTrue(md.contains("| GO-2025-3373 | stdlib | go1.27.5 | 3 | x509 \\| names |"), md);
    assertFalse(md.contains("new in the rebuild"), md);
    assertEquals(1, count(md, "| GO-2024-3105 |"), md);

    int failures = md.indexOf("### Failures");
    int expected = md.indexOf("### Expected with the new Go");
    int perBinary = md.indexOf("## Binaries");
    assertTrue(0 < failures && failures < expected && expected < perBinary, md);
    assertTrue(md.contains("| setting -ldflags | `-s -w` | `-s` | 1 |"), md);
    assertTrue(
        md.contains(
            "| main module | `example.com/demo@(devel)` | `example.com/demo@v1.0.0` | 3 |"
                + " expected with go1.24"),
        md);
    assertTrue(md.contains("| setting GOARM64 | absent | `v8.0` | 2 |"), md);
    assertTrue(
        md.contains(
            "| `demo-1.0.0.linux-amd64.go1.27.4.tar.gz!demo/bin/hello` | go1.27.4 | all 2 passed"
                + " | go1.21.5 | 2 | 1 | 0 |"),
        md);
    assertTrue(md.contains("| 1 FAILED |"), md);
  }

  @Test
  void longValuesAreShortenedAndAnEqualRebuildSaysSo() {
    String godebug = "asynctimerchan=1,".repeat(10);
    Verification v =
        new Verification(
            "/releases/demo",
            "file:///vulndb",
            "none",
            List.of(
                binary(
                    "linux-amd64",
                    List.of(
                        new Difference(
                            "setting DefaultGODEBUG", godebug, "x=1", Kind.EXPECTED, "why")),
                    false)));
    String md =
        VerificationReport.markdown("v1.0.0", "go1.27.4", "c", v, List.of(), List.of(), Map.of());
    assertTrue(md.contains("`" + godebug.substring(0, 60) + "…`"), md);

    Verification equal =
        new Verification(
            "/releases/demo",
            "file:///vulndb",
            "none",
            List.of(binary("linux-amd64", List.of(), false)));
    String same =
        VerificationReport.markdown(
            "v1.0.0", "go1.27.4", "c", equal, List.of(), List.of(), Map.of());
    assertTrue(same.contains("None but the Go version."), same);
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
