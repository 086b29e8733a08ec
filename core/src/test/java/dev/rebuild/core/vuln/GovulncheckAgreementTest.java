package dev.rebuild.core.vuln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.buildinfo.BuildInfoReader;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.testing.Govulncheck;
import dev.rebuild.core.testing.TestTools;
import dev.rebuild.core.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ACCURACY: real binaries built by real Go toolchains (the pinned Go 1.21 and 1.22 and the
 * machine's Go, from {@link TestTools}), scanned by us and by govulncheck v1.9.0 (built by {@link
 * TestTools}) ({@code -mode binary -scan module}) against the same fixture database; the sets of
 * (id, module, fixed version) must be equal. Build information is read as the product reads it
 * ({@link BuildInfoReader}, itself checked against {@code go version -m} in its own tests).
 */
class GovulncheckAgreementTest {

  /** The pinned govulncheck the rules were taken from, built by {@link TestTools#tool}. */
  private static Path govulncheck;

  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final ProcessRunner RUN = new CommonsExecProcessRunner();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private static VulnerabilitySource db;

  /**
   * The go command of {@code go}: "1.21" and "1.22" are the pinned toolchains, "machine" is the
   * machine's Go (the go on PATH).
   */
  private static Path goCommand(String go) {
    return go.equals("machine") ? TestTools.machineGoCommand() : TestTools.goCommand(go);
  }

  @BeforeAll
  static void setUp() throws IOException {
    govulncheck = TestTools.tool("govulncheck");
    ProcessRunner.ExecResult v =
        RUN.run(List.of(govulncheck.toString(), "-version"), work, env(), TIMEOUT);
    assertTrue(
        v.stdout().contains("govulncheck@v1.9.0"),
        "the rules were taken from govulncheck v1.9.0, found: "
            + v.stdout()
            + " (pinned: "
            + TestTools.version("govulncheck")
            + ")");
    db = VulnerabilitySources.open(Fixture.dir().toString());
  }

  @AfterAll
  static void tearDown() {
    if (db != null) {
      db.close();
    }
  }

  @ParameterizedTest(name = "go{0} {1}/{2} {3}")
  @CsvSource({
    "1.21, linux, amd64, hello",
    "1.21, windows, amd64, hello",
    "1.21, darwin, arm64, hello",
    "1.21, linux, amd64, xtext",
    "1.22, linux, amd64, hello",
    "machine, linux, amd64, hello",
    "machine, windows, amd64, hello",
    "machine, darwin, arm64, xtext",
  })
  void sameVulnerabilitiesAsGovulncheck(String go, String goos, String goarch, String program)
      throws IOException {
    Path binary = build(goCommand(go), goos, goarch, program);

    ReadResult read = BuildInfoReader.read(binary);
    if (!(read instanceof ReadResult.GoBinary goBinary)) {
      throw new AssertionError("no Go build info in " + binary + ": " + read);
    }
    ScanTarget target = Verifier.scanTarget(binary.getFileName().toString(), goBinary.info());
    if (go.equals("machine")) {
      assertEquals(TestTools.machineGoVersion(), target.goVersion());
    } else {
      assertEquals("go" + TestTools.pinnedGo(go), target.goVersion());
    }
    assertEquals(goos, target.goos());
    assertEquals(goarch, target.goarch());

    ScanResult ours = new VulnerabilityScanner(db).scan(target);
    assertEquals(ScanStatus.SCANNED, ours.status());
    Set<String> mine = new TreeSet<>();
    for (Finding f : ours.findings()) {
      mine.add(f.id() + " " + f.module() + " " + f.fixedVersion());
    }

    Set<String> theirs = govulncheck(binary);
    assertEquals(theirs, mine, "govulncheck vs Rebuild for " + binary.getFileName());
    if (go.equals("1.21")) {
      assertTrue(!mine.isEmpty(), "the fixture is meant to flag go" + go);
    }
  }

  /**
   * Boundary versions (each side of every fix in the fixture, pre-releases, a devel build) on
   * several platforms, given to govulncheck as its own "extract" blob (the build info it would read
   * from a binary) so that no toolchain has to exist for each version.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "go1.18, linux/amd64",
    "go1.20, windows/amd64",
    "go1.21.10, darwin/arm64",
    "go1.21.11, windows/amd64",
    "go1.22.0, linux/amd64",
    "go1.22.2, linux/ppc64le",
    "go1.22.3, windows/amd64",
    "go1.22.6, darwin/arm64",
    "go1.22.7, linux/amd64",
    "go1.22.11, linux/ppc64le",
    "go1.22.12, linux/ppc64le",
    "go1.23.7, windows/amd64",
    "go1.23.8, windows/amd64",
    "go1.24rc1, linux/amd64",
    "go1.24rc2, linux/ppc64le",
    "go1.24rc3, windows/amd64",
    "go1.24.3, windows/amd64",
    "go1.24.4, windows/amd64",
    "go1.25.8 X:boringcrypto, linux/amd64",
    "go1.25.9, linux/amd64",
    "go1.26.1, linux/amd64",
    "go1.26.2, linux/amd64",
    "devel go1.27-0123abcd Tue Nov 3 10:00:00 2026 +0000, linux/amd64",
  })
  void sameVulnerabilitiesAsGovulncheckAtEveryBoundary(String goVersion, String platform)
      throws IOException {
    String[] p = platform.split("/");
    List<ModuleRef> modules = new ArrayList<>();
    modules.add(new ModuleRef("example.com/app", "(devel)"));
    for (String v : List.of("v0.3.6", "v0.3.7", "v0.3.8", "v0.38.0", "v0.39.0")) {
      modules.add(new ModuleRef("golang.org/x/text", v));
    }
    for (String v : List.of("v0.39.0", "v0.40.0")) {
      modules.add(new ModuleRef("golang.org/x/mod", v));
    }
    for (String v : List.of("v0.16.3", "v0.16.4", "v0.17.0")) {
      modules.add(new ModuleRef("github.com/submariner-io/submariner-operator", v));
    }
    ScanTarget target = new ScanTarget("blob", goVersion, p[0], p[1], modules);

    ObjectNode bin = JSON.createObjectNode();
    bin.put("path", "example.com/app");
    bin.putObject("main").put("Path", "example.com/app").put("Version", "(devel)");
    ArrayNode deps = bin.putArray("modules");
    modules.stream()
        .skip(1)
        .forEach(m -> deps.addObject().put("Path", m.path()).put("Version", m.version()));
    bin.put("goVersion", goVersion).put("goos", p[0]).put("goarch", p[1]);
    Path blob =
        work.resolve(
            "blob-" + goVersion.replaceAll("[^A-Za-z0-9.]", "_") + "-" + p[0] + "-" + p[1]);
    Files.writeString(
        blob,
        "{\"name\":\"govulncheck-extract\",\"version\":\"0.1.0\"}\n"
            + JSON.writeValueAsString(bin)
            + "\n");

    ScanResult ours = new VulnerabilityScanner(db).scan(target);
    Set<String> mine = new TreeSet<>();
    for (Finding f : ours.findings()) {
      mine.add(f.id() + " " + f.module() + " " + f.foundVersion() + " " + f.fixedVersion());
    }
    assertEquals(govulncheckWithVersions(blob), mine, goVersion + " " + platform);
    assertEquals(
        goVersion.startsWith("devel") ? ScanStatus.STDLIB_UNKNOWN : ScanStatus.SCANNED,
        ours.status());
  }

  private static Set<String> govulncheckWithVersions(Path input) throws IOException {
    Set<String> out = new TreeSet<>();
    for (JsonNode finding : govulncheckFindings(input)) {
      JsonNode frame = finding.path("trace").path(0);
      String module = frame.path("module").asText();
      String version = frame.path("version").asText();
      String fixed = finding.path("fixed_version").asText(null);
      if (module.equals(Finding.STDLIB)) {
        version = version.substring(1);
        fixed = fixed == null ? null : fixed.substring(1);
      }
      out.add(finding.path("osv").asText() + " " + module + " " + version + " " + fixed);
    }
    return out;
  }

  private static List<JsonNode> govulncheckFindings(Path input) throws IOException {
    return Govulncheck.findings(input, Fixture.dir(), work);
  }

  private static Set<String> govulncheck(Path binary) throws IOException {
    Set<String> out = new TreeSet<>();
    for (JsonNode finding : govulncheckFindings(binary)) {
      String module = finding.path("trace").path(0).path("module").asText();
      String fixed = finding.path("fixed_version").asText(null);
      if (fixed != null && module.equals(Finding.STDLIB) && fixed.startsWith("v")) {
        fixed = fixed.substring(1);
      }
      out.add(finding.path("osv").asText() + " " + module + " " + fixed);
    }
    return out;
  }

  private static Path build(Path go, String goos, String goarch, String program)
      throws IOException {
    Path dir = work.resolve(program);
    if (!Files.exists(dir)) {
      writeProgram(dir, program);
    }
    String name =
        program + "-" + go.getParent().getParent().getFileName() + "-" + goos + "-" + goarch;
    Path out = work.resolve("bin").resolve(name);
    Map<String, String> env = env();
    env.put("GOOS", goos);
    env.put("GOARCH", goarch);
    env.put("CGO_ENABLED", "0");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "-mod=mod");
    ProcessRunner.ExecResult r =
        RUN.run(List.of(go.toString(), "build", "-o", out.toString(), "."), dir, env, TIMEOUT);
    assertTrue(
        r.ok(),
        "go build failed (a dependency comes through the Go module proxy, GOPROXY="
            + env.getOrDefault("GOPROXY", "default")
            + "): "
            + r.tail(20));
    return out;
  }

  private static void writeProgram(Path dir, String program) throws IOException {
    Files.createDirectories(dir);
    if (program.equals("hello")) {
      Files.writeString(dir.resolve("go.mod"), "module example.com/hello\n\ngo 1.21\n");
      Files.writeString(
          dir.resolve("main.go"),
          "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n");
    } else {
      // golang.org/x/text v0.3.7: fixed for GO-2021-0113, still open to GO-2022-1059.
      Files.writeString(
          dir.resolve("go.mod"),
          "module example.com/xtext\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.7\n");
      Files.writeString(
          dir.resolve("go.sum"),
          "golang.org/x/text v0.3.7 h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\n"
              + "golang.org/x/text v0.3.7/go.mod h1:u+2+/6zg+i71rQMx5EYifcz6MCKuco9NR6JIITiCfzQ=\n");
      Files.writeString(
          dir.resolve("main.go"),
          "package main\n\nimport (\n\t\"fmt\"\n\n\t\"golang.org/x/text/language\"\n)\n\n"
              + "func main() { fmt.Println(language.MustParse(\"en-US\")) }\n");
    }
  }

  private static Map<String, String> env() {
    return new HashMap<>(System.getenv());
  }
}
