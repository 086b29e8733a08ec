package dev.rebuild.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.buildinfo.Setting;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.vuln.FailOn;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.ModuleRef;
import dev.rebuild.core.vuln.ScanResult;
import dev.rebuild.core.vuln.ScanStatus;
import dev.rebuild.core.vuln.VulnerabilityScanner;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Go 1.21 binaries (bare, in a tar.gz, next to a README and a damaged file) verified against
 * the fixture vulnerability database; build information is compared with {@code go version -m
 * -json} of Go 1.26.
 */
class VerifierTest {

  private static final String HELLO = "dist/demo-linux-amd64.tar.gz!demo/bin/hello";
  private static final String REPLACED = "dist/replaced-windows-amd64.exe";

  private static VerifyFixtures fx;
  private static VulnerabilitySource db;
  private static VerifyReport report;

  @TempDir Path tmp;

  @BeforeAll
  static void verifyDist() throws RebuildException {
    fx = VerifyFixtures.get();
    db = VulnerabilitySources.open(VerifyFixtures.vulndb().toString());
    report = new Verifier(db).verify(List.of(new VerifyInput("dist", fx.dist)), FailOn.FIXABLE);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void everyFileOfDirectoriesAndArchivesIsListed() {
    assertEquals(
        List.of(HELLO, REPLACED), report.binaries().stream().map(VerifiedBinary::path).toList());
    assertEquals(
        List.of("dist/README.md", "dist/broken", "dist/demo-linux-amd64.tar.gz!demo/README.md"),
        report.skipped().stream().map(SkippedFile::path).toList());
    assertEquals(
        List.of(false, true, false), report.skipped().stream().map(SkippedFile::corrupt).toList());
    assertTrue(report.skipped().get(1).reason().contains("truncated"), report.skipped().toString());
    assertEquals(FailOn.FIXABLE, report.failOn());
    assertEquals(VerifyFixtures.vulndb().toString(), report.database());
  }

  @Test
  void buildInformationIsWhatGoVersionMReads() throws IOException {
    ObjectMapper json = new ObjectMapper();
    for (VerifiedBinary b : report.binaries()) {
      Path original = b.path().equals(HELLO) ? fx.hello : fx.replaced;
      JsonNode go = json.readTree(VerifyFixtures.goVersionM(original, "-json"));
      BuildInfo info = b.buildInfo();
      assertEquals(go.path("GoVersion").asText(), b.goVersion(), b.path());
      assertEquals(go.path("Path").asText(), b.mainPath(), b.path());
      assertEquals(module(go.path("Main")), b.module(), b.path());
      List<Module> deps = new ArrayList<>();
      go.path("Deps").forEach(d -> deps.add(module(d)));
      assertEquals(deps, info.deps(), b.path());
      List<Setting> settings = new ArrayList<>();
      go.path("Settings")
          .forEach(
              s -> settings.add(new Setting(s.path("Key").asText(), s.path("Value").asText())));
      assertEquals(settings, info.settings(), b.path());
      assertEquals(Files.size(original), b.size());
    }
    VerifiedBinary hello = binary(HELLO);
    assertEquals("go1.21.13", hello.goVersion());
    assertEquals("linux", hello.goos());
    assertEquals("amd64", hello.goarch());
    assertEquals("example.com/demo/cmd/hello", hello.mainPath());
    assertEquals("example.com/demo", hello.module().path());
    assertEquals(fx.revision, hello.buildInfo().setting("vcs.revision"));
  }

  @Test
  void standardLibraryOfGo121IsFlaggedAndFailsTheDefaultGate() {
    VerifiedBinary hello = binary(HELLO);
    assertEquals(ScanStatus.SCANNED, hello.scan().status());
    assertEquals("1.21.13", hello.scan().stdlibVersion());
    // Linux/amd64: the windows-only GO-2025-3750 does not apply, the linux-only GO-2026-4864 does.
    assertEquals(
        List.of(
            "GO-2024-3105",
            "GO-2024-3106",
            "GO-2024-3107",
            "GO-2025-3373",
            "GO-2025-3563",
            "GO-2026-4864"),
        hello.scan().ids());
    assertTrue(hello.vulnerabilities().stream().allMatch(Finding::isStdlib));
    assertEquals("go1.22.7", finding(hello, "GO-2024-3105").fixedIn());
    assertEquals("go1.25.9", hello.stdlibFixedIn());

    Check gate = hello.checks().get(0);
    assertEquals(Check.VULNERABILITIES, gate.name());
    assertFalse(gate.passed());
    assertTrue(
        gate.message().contains("GO-2024-3105 (stdlib 1.21.13, fixed in go1.22.7)"),
        gate.message());
    assertTrue(gate.message().contains("6 fail failOn=fixable"), gate.message());
    assertFalse(hello.passed());
    assertFalse(report.passed());
    assertEquals(2, report.failed().size());
    assertEquals(12, report.vulnerabilityCount());
    assertTrue(report.verdicts().stream().allMatch(FailOn.Verdict::failed));
  }

  @Test
  void replacedModuleIsScannedAsItsReplacement() {
    VerifiedBinary replaced = binary(REPLACED);
    Module text =
        replaced.buildInfo().deps().stream()
            .filter(d -> d.path().equals("golang.org/x/text"))
            .findFirst()
            .orElseThrow();
    assertEquals("v0.3.7", text.version());
    assertEquals("./text", text.replacement().path());
    // v0.3.7 is open to GO-2022-1059, but the binary carries ./text at (devel), which is not
    // judged.
    assertTrue(
        replaced.vulnerabilities().stream().noneMatch(f -> f.module().equals("golang.org/x/text")),
        replaced.vulnerabilities().toString());
    assertTrue(replaced.scan().ids().contains("GO-2025-3750"), "windows-only entry applies");
    assertEquals("go1.23.10", replaced.stdlibFixedIn());
    assertEquals(
        List.of(
            new ModuleRef("example.com/replaced", "(devel)"), new ModuleRef("./text", "(devel)")),
        Verifier.scanTarget("x", replaced.buildInfo()).modules());
  }

  @Test
  void scanTargetUsesTheReplacementsVersionAndSkipsAMainModuleWithoutOne() {
    BuildInfo info =
        new BuildInfo(
            "go1.22.1",
            "example.com/app",
            new Module("example.com/app", "", "", null),
            List.of(
                new Module(
                    "golang.org/x/text",
                    "v0.3.8",
                    "h1:a",
                    new Module("github.com/fork/text", "v0.3.6", "h1:b", null)),
                new Module("golang.org/x/mod", "v0.39.0", "h1:c", null)),
            List.of(new Setting("GOOS", "linux"), new Setting("GOARCH", "arm64")));
    var target = Verifier.scanTarget("app", info);
    assertEquals(
        List.of(
            new ModuleRef("github.com/fork/text", "v0.3.6"),
            new ModuleRef("golang.org/x/mod", "v0.39.0")),
        target.modules());
    assertEquals("go1.22.1", target.goVersion());
    assertEquals("linux", target.goos());
    assertEquals("arm64", target.goarch());
  }

  @Test
  void failOnNoneOnlyReportsAndFailOnAnyFailsOnEveryFinding() throws RebuildException {
    VerifyReport none =
        new Verifier(db).verify(List.of(new VerifyInput("dist", fx.dist)), FailOn.NONE);
    assertTrue(none.passed());
    assertEquals(report.vulnerabilityCount(), none.vulnerabilityCount());
    Check gate = none.binaries().get(0).checks().get(0);
    assertTrue(gate.passed());
    assertTrue(gate.message().endsWith("failOn=none: reported only"), gate.message());

    VerifyReport any =
        new Verifier(db).verify(List.of(new VerifyInput("dist", fx.dist)), FailOn.ANY);
    assertFalse(any.passed());
  }

  @Test
  void aDevelopmentToolchainFailsEveryGateButNone() {
    BuildInfo real = binary(HELLO).buildInfo();
    BuildInfo devel =
        new BuildInfo(
            "devel go1.27-0123abcd Tue Nov 3 10:00:00 2026 +0000",
            real.path(),
            real.main(),
            real.deps(),
            real.settings());
    ScanResult scan = new VulnerabilityScanner(db).scan(Verifier.scanTarget("devel", devel));
    assertEquals(ScanStatus.STDLIB_UNKNOWN, scan.status());
    Check fixable = Verifier.vulnerabilityCheck(devel, scan, FailOn.FIXABLE);
    assertFalse(fixable.passed());
    assertTrue(
        fixable.message().contains("the standard library was not checked"), fixable.message());
    assertTrue(
        fixable.message().endsWith("an unchecked standard library fails failOn=fixable"),
        fixable.message());
    assertFalse(Verifier.vulnerabilityCheck(devel, scan, FailOn.ANY).passed());
    assertTrue(Verifier.vulnerabilityCheck(devel, scan, FailOn.NONE).passed());
  }

  @Test
  void filesAndArchivesAreNamedAsGiven() throws RebuildException {
    VerifyReport r =
        new Verifier(db)
            .verify(
                List.of(
                    new VerifyInput("out/demo.tar.gz", fx.dist.resolve("demo-linux-amd64.tar.gz")),
                    new VerifyInput("bin/hello", fx.hello),
                    new VerifyInput(".", fx.dist.resolve("../bin"))),
                FailOn.FIXABLE);
    assertEquals(
        List.of("bin/hello", "hello", "out/demo.tar.gz!demo/bin/hello", "replaced.exe"),
        r.binaries().stream().map(VerifiedBinary::path).toList());
  }

  @Test
  void releaseChecksAreAddedAfterTheGate() {
    VerifyReport checked =
        report.withChecks(
            b ->
                List.of(
                    Check.goVersion(b.buildInfo(), GoVersion.parse("1.21.13")),
                    Check.platform(b.buildInfo(), "linux", "amd64"),
                    Check.vcsRevision(b.buildInfo(), fx.revision)));
    VerifiedBinary hello = checked.binaries().get(0);
    assertEquals(
        List.of(Check.VULNERABILITIES, Check.GO_VERSION, Check.PLATFORM, Check.VCS_REVISION),
        hello.checks().stream().map(Check::name).toList());
    assertEquals(
        List.of(Check.VULNERABILITIES), hello.failedChecks().stream().map(Check::name).toList());
    VerifiedBinary replaced = checked.binaries().get(1);
    assertEquals(
        List.of(Check.VULNERABILITIES, Check.PLATFORM, Check.VCS_REVISION),
        replaced.failedChecks().stream().map(Check::name).toList());
    assertEquals(
        "built for windows/amd64, expected linux/amd64", replaced.failedChecks().get(1).message());
    assertEquals(
        "no vcs.revision recorded, expected " + fx.revision,
        replaced.failedChecks().get(2).message());
    assertEquals(
        "built with go1.21.13, expected go1.22.12",
        Check.goVersion(hello.buildInfo(), GoVersion.parse("1.22.12")).message());
  }

  @Test
  void aMissingInputIsBadInputNamingIt() {
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                new Verifier(db)
                    .verify(
                        List.of(new VerifyInput("dist/nope.tar.gz", tmp.resolve("nope.tar.gz"))),
                        FailOn.FIXABLE));
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertEquals(Verifier.ARTIFACTS, e.parameter());
    assertTrue(e.getMessage().startsWith("'dist/nope.tar.gz' does not exist"), e.getMessage());
  }

  @Test
  void anUnreadableDatabaseIsAToolFailureNamingVulndb() throws IOException {
    Path copy = tmp.resolve("db");
    try (Stream<Path> files = Files.walk(VerifyFixtures.vulndb())) {
      for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
        Path to = copy.resolve(VerifyFixtures.vulndb().relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else if (!f.getFileName().toString().equals("GO-2024-3105.json")) {
          Files.copy(f, to);
        }
      }
    }
    try (VulnerabilitySource broken = VulnerabilitySources.open(copy.toString())) {
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () ->
                  new Verifier(broken)
                      .verify(List.of(new VerifyInput("bin/hello", fx.hello)), FailOn.FIXABLE));
      assertEquals(RebuildException.Kind.TOOL, e.kind());
      assertEquals(Verifier.VULNDB, e.parameter());
      assertTrue(e.getMessage().contains("GO-2024-3105"), e.getMessage());
    }
  }

  @Test
  void nothingToVerifyIsBadInput() {
    RebuildException e =
        assertThrows(
            RebuildException.class, () -> new Verifier(db).verify(List.of(), FailOn.FIXABLE));
    assertEquals(Verifier.ARTIFACTS, e.parameter());
  }

  private static Module module(JsonNode m) {
    if (m.isMissingNode() || m.isNull()) {
      return null;
    }
    return new Module(
        m.path("Path").asText(),
        m.path("Version").asText(),
        m.path("Sum").asText(),
        module(m.path("Replace")));
  }

  private static VerifiedBinary binary(String path) {
    return report.binaries().stream().filter(b -> b.path().equals(path)).findFirst().orElseThrow();
  }

  private static Finding finding(VerifiedBinary b, String id) {
    return b.vulnerabilities().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
  }
}
