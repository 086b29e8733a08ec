package dev.rebuild.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.Setting;
import dev.rebuild.core.testing.GoFixtures;
import dev.rebuild.core.vuln.FailOn;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rebuild:verify} with an original build: a release built with the pinned Go 1.21 (linux and
 * windows archives of {@code hello} and {@code greet} from {@link GoFixtures#demoRepository}) is
 * compared with real rebuilds of the same source by Go 1.22 and the machine's Go, with the same and
 * with different flags.
 */
class VerifierOriginalTest {

  private static final String LDFLAGS = "-ldflags=-s -w -X main.version=1.0.0";
  private static final List<String> COMMANDS = List.of("hello", "greet");

  private static Path root;
  private static Path repo;
  private static Path orig;
  private static VulnerabilitySource db;
  private static Path go121;
  private static Path go122;
  private static Path machineGo;

  @BeforeAll
  static void originalRelease() throws IOException {
    go121 = GoFixtures.requireGo(GoFixtures.GO_1_21);
    go122 = GoFixtures.requireGo(GoFixtures.GO_1_22);
    machineGo = GoFixtures.machineGo();
    root = Files.createTempDirectory("rebuild-verify-original-");
    repo = root.resolve("demo");
    GoFixtures.demoRepository(repo);
    orig = root.resolve("orig");
    Files.createDirectories(orig);
    Map<String, byte[]> linux = new LinkedHashMap<>();
    Map<String, byte[]> windows = new LinkedHashMap<>();
    for (String cmd : COMMANDS) {
      linux.put("demo/bin/" + cmd, build(go121, "linux", "amd64", Map.of(), cmd));
      windows.put("demo/" + cmd + ".exe", build(go121, "windows", "amd64", Map.of(), cmd));
    }
    linux.put("demo/README.md", "# demo\n".getBytes());
    tarGz(orig.resolve("demo-linux-amd64.tar.gz"), linux);
    zip(orig.resolve("demo-windows-amd64.zip"), windows);
    db = VulnerabilitySources.open(VerifyFixtures.vulndb().toString());
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (db != null) {
      db.close();
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aRebuildWithAnotherGoAndTheSameFlagsIsTheOriginalButForGo() throws Exception {
    for (Path goroot : List.of(go122, machineGo)) {
      Path rebuilt = root.resolve("rebuilt-" + goroot.getFileName());
      for (String cmd : COMMANDS) {
        write(
            rebuilt.resolve("linux-amd64/" + cmd), build(goroot, "linux", "amd64", Map.of(), cmd));
        write(
            rebuilt.resolve("windows-amd64/" + cmd + ".exe"),
            build(goroot, "windows", "amd64", Map.of(), cmd));
      }
      VerifyReport report = verify("rebuilt", rebuilt, "orig", orig);

      assertEquals(
          List.of(
              "rebuilt/linux-amd64/greet",
              "rebuilt/linux-amd64/hello",
              "rebuilt/windows-amd64/greet.exe",
              "rebuilt/windows-amd64/hello.exe"),
          report.binaries().stream().map(VerifiedBinary::path).toList());
      for (VerifiedBinary b : report.binaries()) {
        assertEquals(
            List.of(Check.VULNERABILITIES, Verifier.SAME_AS_ORIGINAL),
            b.checks().stream().map(Check::name).toList());
        Check same = b.checks().get(1);
        assertTrue(same.passed(), goroot + " " + b.path() + ": " + same.message());
        VerifyReport.OriginalMatch o = report.original(b);
        String cmd = Verifier.commandName(b.path());
        assertEquals(
            b.goos().equals("linux")
                ? "orig/demo-linux-amd64.tar.gz!demo/bin/" + cmd
                : "orig/demo-windows-amd64.zip!demo/" + cmd + ".exe",
            o.path());
        assertEquals("go" + GoFixtures.GO_1_21, o.goVersion());
        assertTrue(o.comparison().equalButForGo());
        assertEquals(o.comparison().summary(), same.message());
      }
      assertTrue(report.passed(), goroot.toString());

      JsonNode json = new ObjectMapper().readTree(ReportWriters.json(report));
      JsonNode hello = json.path("binaries").get(1);
      assertEquals("rebuilt/linux-amd64/hello", hello.path("path").asText());
      assertEquals(
          "orig/demo-linux-amd64.tar.gz!demo/bin/hello",
          hello.path("original").path("path").asText());
      assertEquals("go" + GoFixtures.GO_1_21, hello.path("original").path("goVersion").asText());
      assertTrue(hello.path("differences").isArray());
      for (JsonNode d : hello.path("differences")) {
        assertFalse(d.path("kind").asText().equals("FAILURE"), d.toString());
        assertTrue(d.has("field") && d.has("original") && d.has("rebuilt") && d.has("reason"));
      }
    }
  }

  @Test
  void aRebuildWithOtherLdflagsFailsNamingThem() throws Exception {
    Path rebuilt = root.resolve("rebuilt-ldflags");
    write(
        rebuilt.resolve("hello"),
        build(go122, "linux", "amd64", Map.of(), "hello", "-ldflags=-s -X main.version=1.0.0"));
    VerifyReport report = verify("rebuilt", rebuilt, "orig", orig);

    VerifiedBinary hello = report.binaries().get(0);
    Check same = hello.checks().get(1);
    assertEquals(Verifier.SAME_AS_ORIGINAL, same.name());
    assertFalse(same.passed());
    assertTrue(same.message().contains("-ldflags"), same.message());
    assertTrue(
        same.message()
            .startsWith(
                "setting -ldflags: -s -w -X main.version=1.0.0 -> -s -X main.version=1.0.0"),
        same.message());
    assertFalse(report.passed());
    assertEquals(List.of(hello), report.failed());
    List<BuildComparison.Difference> failures =
        report.original(hello).comparison().of(BuildComparison.Kind.FAILURE);
    assertEquals(List.of("setting -ldflags"), failures.stream().map(d -> d.field()).toList());

    JsonNode json = new ObjectMapper().readTree(ReportWriters.json(report));
    JsonNode d = findField(json.path("binaries").get(0).path("differences"), "setting -ldflags");
    assertEquals("FAILURE", d.path("kind").asText());
    assertEquals("-s -w -X main.version=1.0.0", d.path("original").asText());
    assertEquals("-s -X main.version=1.0.0", d.path("rebuilt").asText());
  }

  @Test
  void aDifferentGoamd64IsADifferenceNotAMissingOriginal() throws Exception {
    Path rebuilt = root.resolve("rebuilt-v3");
    write(
        rebuilt.resolve("hello"), build(go122, "linux", "amd64", Map.of("GOAMD64", "v3"), "hello"));
    VerifyReport report = verify("rebuilt", rebuilt, "orig", orig);

    VerifiedBinary hello = report.binaries().get(0);
    Check same = hello.checks().get(1);
    assertFalse(same.passed());
    assertTrue(same.message().startsWith("setting GOAMD64: v1 -> v3"), same.message());
    assertEquals("orig/demo-linux-amd64.tar.gz!demo/bin/hello", report.original(hello).path());
  }

  @Test
  void aBinaryWithoutOriginalFailsNamingIt() throws Exception {
    Path rebuilt = root.resolve("rebuilt-extra");
    for (String cmd : COMMANDS) {
      write(rebuilt.resolve(cmd), build(go122, "linux", "amd64", Map.of(), cmd, LDFLAGS));
    }
    // The original release of hello alone, as a bare file; and one for windows only.
    Path helloOnly = root.resolve("orig-hello");
    Files.createDirectories(helloOnly);
    Files.write(helloOnly.resolve("hello"), build(go121, "linux", "amd64", Map.of(), "hello"));
    VerifyReport report =
        new Verifier(db)
            .verify(
                List.of(new VerifyInput("rebuilt", rebuilt)),
                List.of(
                    new VerifyInput("orig-hello/hello", helloOnly.resolve("hello")),
                    new VerifyInput("win.zip", orig.resolve("demo-windows-amd64.zip"))),
                FailOn.NONE);

    VerifiedBinary greet = report.binaries().get(0);
    assertEquals("rebuilt/greet", greet.path());
    assertEquals(
        List.of(
            Check.failed(
                Verifier.SAME_AS_ORIGINAL,
                "no original binary named greet for linux/amd64 in orig-hello/hello,win.zip"
                    + " (only for windows/amd64)")),
        greet.failedChecks());
    assertFalse(report.original(greet).matched());
    VerifiedBinary hello = report.binaries().get(1);
    assertTrue(hello.passed(), hello.checks().toString());
    assertEquals("orig-hello/hello", report.original(hello).path());
    assertFalse(report.passed());

    JsonNode json = new ObjectMapper().readTree(ReportWriters.json(report));
    assertTrue(json.path("binaries").get(0).path("original").isNull());
    assertEquals(0, json.path("binaries").get(0).path("differences").size());
  }

  @Test
  void withoutOriginalTheReportKeepsItsShape() throws Exception {
    VerifyReport report =
        new Verifier(db).verify(List.of(new VerifyInput("orig", orig)), FailOn.NONE);
    assertTrue(report.originals().isEmpty());
    assertTrue(
        report.binaries().stream()
            .allMatch(b -> b.checks().size() == 1 && report.original(b) == null));
    JsonNode json = new ObjectMapper().readTree(ReportWriters.json(report));
    assertFalse(json.path("binaries").get(0).has("original"));
    assertFalse(json.path("binaries").get(0).has("differences"));
  }

  @Test
  void aMissingOriginalPathIsBadInputNamingOriginal() {
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () -> verify("orig", orig, "old/nope.tar.gz", root.resolve("nope.tar.gz")));
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertEquals(Verifier.ORIGINAL, e.parameter());
    assertTrue(e.getMessage().startsWith("'old/nope.tar.gz' does not exist"), e.getMessage());
  }

  @Test
  void originalsWithoutPlatformMatchByAUniqueName() throws Exception {
    BuildInfo rebuilt = info(build(go122, "linux", "amd64", Map.of(), "hello"));
    BuildInfo original = info(build(go121, "linux", "amd64", Map.of(), "hello"));
    // What Go 1.17 embeds: the same package and modules, no build settings.
    BuildInfo go117 =
        new BuildInfo("go1.17.13", original.path(), original.main(), original.deps(), List.of());

    Verifier.Match one =
        Verifier.matchOriginal(
            "rebuilt/hello",
            rebuilt,
            List.of(
                new Verifier.OriginalBinary("old.tar.gz!hello", go117),
                new Verifier.OriginalBinary("old.tar.gz!greet", go117)),
            "old.tar.gz");
    assertEquals("old.tar.gz!hello", one.original().path());
    assertTrue(one.check().passed(), one.check().message());
    assertNotNull(one.original().comparison().notComparable());

    Verifier.Match two =
        Verifier.matchOriginal(
            "rebuilt/hello.exe",
            rebuilt,
            List.of(
                new Verifier.OriginalBinary("old-linux.tar.gz!hello", go117),
                new Verifier.OriginalBinary("old-darwin.tar.gz!hello", go117)),
            "old-linux.tar.gz,old-darwin.tar.gz");
    assertFalse(two.check().passed());
    assertEquals(
        "ambiguous: 2 originals named hello record no platform (built by Go before 1.18), so the"
            + " one for linux/amd64 cannot be told apart: old-linux.tar.gz!hello,"
            + " old-darwin.tar.gz!hello",
        two.check().message());
    assertNull(two.original().path());
  }

  @Test
  void amongOriginalsForOnePlatformTheArchVariableDecides() throws Exception {
    BuildInfo v1 = info(build(go121, "linux", "amd64", Map.of(), "hello"));
    BuildInfo v3 = withSetting(v1, "GOAMD64", "v3");
    BuildInfo rebuilt = withSetting(v1, "GOAMD64", "v3");
    List<Verifier.OriginalBinary> both =
        List.of(
            new Verifier.OriginalBinary("v1.tar.gz!hello", v1),
            new Verifier.OriginalBinary("v3.tar.gz!hello", v3));
    Verifier.Match m = Verifier.matchOriginal("rebuilt/hello", rebuilt, both, "v1,v3");
    assertEquals("v3.tar.gz!hello", m.original().path());
    assertTrue(m.check().passed(), m.check().message());

    Verifier.Match neither =
        Verifier.matchOriginal("rebuilt/hello", withSetting(v1, "GOAMD64", "v2"), both, "v1,v3");
    assertFalse(neither.check().passed());
    assertTrue(
        neither.check().message().startsWith("ambiguous: 2 originals named hello for linux/amd64"),
        neither.check().message());
  }

  @Test
  void commandNamesAreBaseNamesWithoutExe() {
    assertEquals("hello", Verifier.commandName("dist/demo.tar.gz!demo/bin/hello"));
    assertEquals("hello", Verifier.commandName("dist/demo.zip!demo/hello.EXE"));
    assertEquals("hello-linux-amd64", Verifier.commandName("hello-linux-amd64"));
  }

  private static VerifyReport verify(String name, Path path, String originalName, Path original)
      throws RebuildException {
    return new Verifier(db)
        .verify(
            List.of(new VerifyInput(name, path)),
            List.of(new VerifyInput(originalName, original)),
            FailOn.NONE);
  }

  private static JsonNode findField(JsonNode differences, String field) {
    for (JsonNode d : differences) {
      if (d.path("field").asText().equals(field)) {
        return d;
      }
    }
    throw new AssertionError("no difference " + field + " in " + differences);
  }

  private static BuildInfo info(byte[] binary) throws Exception {
    Path file = Files.createTempFile(root, "bin", "");
    Files.write(file, binary);
    var scanned = new dev.rebuild.core.buildinfo.ArtifactScanner().scan(file);
    return ((dev.rebuild.core.buildinfo.ReadResult.GoBinary) scanned.get(0).result()).info();
  }

  private static BuildInfo withSetting(BuildInfo info, String key, String value) {
    List<Setting> settings = new ArrayList<>();
    for (Setting s : info.settings()) {
      settings.add(s.key().equals(key) ? new Setting(key, value) : s);
    }
    return new BuildInfo(info.goVersion(), info.path(), info.main(), info.deps(), settings);
  }

  /** {@code cmd/<cmd>} of the demo repository built by {@code goroot} with {@link #LDFLAGS}. */
  private static byte[] build(
      Path goroot, String goos, String goarch, Map<String, String> extraEnv, String cmd)
      throws IOException {
    return build(goroot, goos, goarch, extraEnv, cmd, LDFLAGS);
  }

  private static byte[] build(
      Path goroot,
      String goos,
      String goarch,
      Map<String, String> extraEnv,
      String cmd,
      String ldflags)
      throws IOException {
    Path out = Files.createTempFile(root, cmd, ".out");
    Map<String, String> env = new HashMap<>();
    env.put("GOROOT", goroot.toString());
    env.put("GOOS", goos);
    env.put("GOARCH", goarch);
    env.put("CGO_ENABLED", "0");
    env.put("GOENV", "off");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "-mod=mod");
    env.put("GOPROXY", "off");
    env.putAll(extraEnv);
    GoFixtures.run(
        repo,
        env,
        goroot.resolve("bin/go").toString(),
        "build",
        "-o",
        out.toString(),
        ldflags,
        "./cmd/" + cmd);
    byte[] bytes = Files.readAllBytes(out);
    Files.delete(out);
    return bytes;
  }

  private static void write(Path target, byte[] bytes) throws IOException {
    Files.createDirectories(target.getParent());
    Files.write(target, bytes);
  }

  private static void tarGz(Path target, Map<String, byte[]> members) throws IOException {
    try (OutputStream out = Files.newOutputStream(target);
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(m.getKey());
        e.setSize(m.getValue().length);
        e.setMode(m.getKey().contains("/bin/") ? 0755 : 0644);
        tar.putArchiveEntry(e);
        tar.write(m.getValue());
        tar.closeArchiveEntry();
      }
    }
  }

  private static void zip(Path target, Map<String, byte[]> members) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(target))) {
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        zip.putNextEntry(new ZipEntry(m.getKey()));
        zip.write(m.getValue());
        zip.closeEntry();
      }
    }
  }
}
