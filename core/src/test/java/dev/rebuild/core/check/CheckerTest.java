package dev.rebuild.core.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.check.CheckResult.Status;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.image.Crane;
import dev.rebuild.core.image.CredentialSource;
import dev.rebuild.core.image.ImageInspector;
import dev.rebuild.core.image.RegistryClientFactory;
import dev.rebuild.core.image.TestRegistry;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.testing.FakeGitHub;
import dev.rebuild.core.testing.GoFixtures;
import dev.rebuild.core.testing.Govulncheck;
import dev.rebuild.core.testing.RecordingReleaseListener;
import dev.rebuild.core.testing.TestTools;
import dev.rebuild.core.toolchain.GoReleaseList;
import dev.rebuild.core.toolchain.ToolchainException;
import dev.rebuild.core.toolchain.ToolchainListener;
import dev.rebuild.core.toolchain.ToolchainSettings;
import dev.rebuild.core.toolchain.ToolchainStore;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code rebuild:check} end to end in core: a release built with Go 1.21 is due, the Go each policy
 * picks equals what govulncheck's findings and the release list imply (computed here without the
 * project's range code), a published rebuild (tag directory, registry image by label) makes it not
 * due, and a later vulnerability makes it due again with the next label.
 */
class CheckerTest {

  @RegisterExtension static final TestRegistry REGISTRY = TestRegistry.open();

  private static final String TAG = "v1.0.0";

  /** The Go releases of the first check: supported are 1.23 and 1.22. */
  private static final String[] RELEASES = {"1.21.13", "1.22.12", "1.23.12", "1.24rc1"};

  @TempDir static Path work;

  static Path original;
  static Path originalDir;
  static Path rebuilt;
  static Path db;
  static Path dbLater;
  static Path releaseList;

  @BeforeAll
  static void build() throws IOException {
    original = CheckFixtures.build(work, TestTools.go("1.21"), work.resolve("bin/go1.21/hello"));
    rebuilt = CheckFixtures.build(work, TestTools.go("1.22"), work.resolve("bin/go1.22/hello"));
    originalDir = Files.createDirectories(work.resolve("releases/demo/" + TAG));
    CheckFixtures.tarGz(original, originalDir.resolve("demo-1.0.0.linux-amd64.go1.21.13.tar.gz"));
    Files.writeString(originalDir.resolve("README.md"), "# demo\n");
    db = CheckFixtures.database(work.resolve("vulndb"), false);
    dbLater = CheckFixtures.database(work.resolve("vulndb-later"), true);
    releaseList = CheckFixtures.releaseList(work.resolve("go-releases.json"), RELEASES);
  }

  @Test
  void originalBuiltWithGo121IsDueAndEachPolicyPicksTheGoGovulncheckAndTheListImply()
      throws Exception {
    Map<String, String> stdlibFixes = govulncheck(original, db, true);
    Map<String, String> moduleFixes = govulncheck(original, db, false);
    assertEquals(Set.of("GO-2024-3107"), stdlibFixes.keySet(), "govulncheck's stdlib findings");
    assertEquals(Map.of("GO-2022-1059", "v0.3.8"), moduleFixes);
    List<String> list = Arrays.asList(RELEASES);
    for (GoPolicy policy : GoPolicy.values()) {
      CheckResult r = check(List.of(originalDir), List.of(), db, releaseList, policy, null);
      assertEquals("1.21.13", r.publishedGo());
      assertEquals(List.of("linux/amd64"), r.platforms());
      assertEquals(
          List.of(TAG + "/demo-1.0.0.linux-amd64.go1.21.13.tar.gz!demo/bin/hello"),
          r.builds().get(0).binaries());
      assertEquals(stdlibFixes.keySet(), ids(r.rebuildFixable()), policy + ": fixable by rebuild");
      assertEquals(moduleFixes.keySet(), ids(r.needsProjectRelease()), policy + ": dependencies");
      assertEquals("v0.3.8", r.needsProjectRelease().get(0).fixedIn());
      String expected = expectedGo(policy, "1.21.13", stdlibFixes.values(), list);
      assertEquals(expected, r.chosenGo(), policy + ": " + r.reason());
      if (expected == null) {
        assertEquals(Status.NO_GO_FIXES, r.status(), r.reason());
        assertTrue(r.reason().contains("no longer supported"), r.reason());
        assertFalse(r.due());
      } else {
        assertEquals(Status.DUE, r.status(), r.reason());
        assertEquals(TAG + "-go" + expected, r.label());
        assertEquals("mvn rebuild:release -Dtag=" + TAG + " -Dgo=" + expected, r.command());
        assertTrue(r.reason().contains("golang.org/x/text"), r.reason());
      }
    }
    assertEquals("1.22.12", expectedGo(GoPolicy.MINOR, "1.21.13", stdlibFixes.values(), list));
    assertEquals("1.23.12", expectedGo(GoPolicy.LATEST, "1.21.13", stdlibFixes.values(), list));
  }

  @Test
  void theChoiceIsPlatformAwareAWindowsOnlyEntryMovesTheGo() throws Exception {
    Path windows =
        CheckFixtures.build(
            work, TestTools.go("1.21"), work.resolve("bin/windows/hello.exe"), "windows");
    Path dir = Files.createDirectories(work.resolve("releases/both/" + TAG));
    Files.copy(original, dir.resolve("hello-linux-amd64"));
    Files.copy(windows, dir.resolve("hello-windows-amd64.exe"));
    Map<String, String> linuxFixes = govulncheck(original, db, true);
    Map<String, String> windowsFixes = govulncheck(windows, db, true);
    assertEquals(Set.of("GO-2024-3107", "GO-2025-3750"), windowsFixes.keySet());
    List<String> fixes = new ArrayList<>(linuxFixes.values());
    fixes.addAll(windowsFixes.values());
    CheckResult r = check(List.of(dir), List.of(), db, releaseList, GoPolicy.MINOR, null);
    assertEquals(List.of("linux/amd64", "windows/amd64"), r.platforms());
    assertEquals(Set.of("GO-2024-3107", "GO-2025-3750"), ids(r.rebuildFixable()));
    assertEquals(
        expectedGo(GoPolicy.MINOR, "1.21.13", fixes, Arrays.asList(RELEASES)), r.chosenGo());
    assertEquals(
        "1.23.12", r.chosenGo(), "go1.22.12 leaves the windows binary open to GO-2025-3750");
  }

  @Test
  void publishedRebuildIsNotDueUntilALaterVulnerabilityThenDueWithTheNextCounter()
      throws Exception {
    // The Go the check chose really fixes the standard library: govulncheck on the rebuilt binary.
    assertEquals(Map.of(), govulncheck(rebuilt, db, true), "govulncheck on the go1.22.12 build");
    String repo = REGISTRY.host() + "/demo/hello";
    pushImage(original, repo + ":" + TAG);
    pushImage(rebuilt, repo + ":" + TAG + "-r1");
    pushImage(rebuilt, repo + ":unrelated");

    CheckResult after =
        check(List.of(), List.of(repo), db, releaseList, GoPolicy.MINOR, "{tag}-r{n}");
    assertEquals(Status.NEEDS_PROJECT_RELEASE, after.status(), after.reason());
    assertFalse(after.due());
    assertEquals("1.22.12", after.publishedGo());
    assertEquals(
        List.of(List.of(), List.of(TAG + "-r1")),
        after.builds().stream().map(CheckResult.PublishedBuild::labels).toList());
    assertTrue(after.builds().get(1).rebuild());
    assertTrue(
        after.builds().stream()
            .flatMap(b -> b.binaries().stream())
            .noneMatch(b -> b.contains(":unrelated")),
        "only the release's tag and its labels are read");

    Map<String, String> laterFixes = govulncheck(rebuilt, dbLater, true);
    assertEquals(Set.of(CheckFixtures.LATER), laterFixes.keySet());
    CheckResult again =
        check(List.of(), List.of(repo), dbLater, releaseList, GoPolicy.MINOR, "{tag}-r{n}");
    assertEquals(Status.DUE, again.status(), again.reason());
    assertEquals(
        expectedGo(GoPolicy.MINOR, "1.22.12", laterFixes.values(), Arrays.asList(RELEASES)),
        again.chosenGo());
    assertEquals("1.23.12", again.chosenGo());
    assertEquals(TAG + "-r2", again.label());
    assertEquals(
        "mvn rebuild:release -Dtag=" + TAG + " -Dgo=1.23.12 -Drebuild.label=" + TAG + "-r2",
        again.command());
  }

  @Test
  void everyPlatformOfAMultiArchImageIsRead() throws Exception {
    Path arm64 =
        CheckFixtures.build(
            work, TestTools.go("1.21"), work.resolve("bin/arm64/hello"), "linux", "arm64");
    String repo = REGISTRY.host() + "/demo/multi";
    pushImage(original, repo + ":amd64", "linux/amd64");
    pushImage(arm64, repo + ":arm64", "linux/arm64");
    Crane.anonymous()
        .ok(
            "index",
            "append",
            "-m",
            repo + ":amd64",
            "-m",
            repo + ":arm64",
            "-t",
            repo + ":" + TAG);
    CheckResult r = check(List.of(), List.of(repo), db, releaseList, GoPolicy.MINOR, null);
    assertEquals(List.of("linux/amd64", "linux/arm64"), r.platforms());
    assertEquals(Status.DUE, r.status(), r.reason());
    assertEquals(
        List.of(
            repo + ":" + TAG + "@linux/amd64:/usr/local/bin/hello",
            repo + ":" + TAG + "@linux/arm64:/usr/local/bin/hello"),
        r.builds().get(0).binaries());
  }

  @Test
  void gitHubReleasesOfTheTagAndOfItsLabelsArePublished() throws Exception {
    byte[] originalArchive =
        Files.readAllBytes(originalDir.resolve("demo-1.0.0.linux-amd64.go1.21.13.tar.gz"));
    Path rebuiltArchive =
        CheckFixtures.tarGz(rebuilt, work.resolve("demo-1.0.0.linux-amd64.go1.22.12.tar.gz"));
    try (FakeGitHub gh = new FakeGitHub("ghp_check")) {
      gh.tag("o/demo", TAG, "c0ffee");
      Map<String, byte[]> assets = new TreeMap<>();
      assets.put("demo-1.0.0.linux-amd64.go1.21.13.tar.gz", originalArchive);
      assets.put("demo-1.0.0.SHA256SUMS", "not read\n".getBytes(StandardCharsets.UTF_8));
      gh.publishedRelease("o/demo", TAG, assets);
      GitHubApi api = api(gh.apiUrl(), "ghp_check");

      CheckResult due = checkGitHub(api, "o/demo", db, "{tag}-r{n}");
      assertEquals(Status.DUE, due.status(), due.reason());
      assertEquals("1.22.12", due.chosenGo());
      assertEquals(TAG + "-r1", due.label());
      assertEquals(
          List.of(
              "github:o/demo@" + TAG + "/demo-1.0.0.linux-amd64.go1.21.13.tar.gz!demo/bin/hello"),
          due.builds().get(0).binaries());

      gh.tag("o/demo", TAG + "-r1", "c0ffee");
      gh.publishedRelease(
          "o/demo",
          TAG + "-r1",
          Map.of("demo-1.0.0.linux-amd64.go1.22.12.tar.gz", Files.readAllBytes(rebuiltArchive)));
      CheckResult after = checkGitHub(api, "o/demo", db, "{tag}-r{n}");
      assertEquals(Status.NEEDS_PROJECT_RELEASE, after.status(), after.reason());
      assertEquals(List.of(TAG + "-r1"), after.builds().get(1).labels());
      CheckResult again = checkGitHub(api, "o/demo", dbLater, "{tag}-r{n}");
      assertEquals(Status.DUE, again.status());
      assertEquals(TAG + "-r2", again.label());
      assertTrue(
          gh.requests().stream().noneMatch(q -> q.contains("SHA256SUMS")),
          "a checksums file is not downloaded");

      RebuildException missing =
          assertThrows(RebuildException.class, () -> checkGitHub(api, "o/nothing", db, null));
      assertEquals(Checker.GITHUB, missing.parameter());
      assertTrue(missing.getMessage().contains("o/nothing"), missing.getMessage());
    }
    GitHubApi down = api(URI.create("http://127.0.0.1:9/api/v3"), null);
    RebuildException unreachable =
        assertThrows(RebuildException.class, () -> checkGitHub(down, "o/demo", db, null));
    assertEquals(RebuildException.Kind.TOOL, unreachable.kind());
    assertTrue(unreachable.getMessage().contains("127.0.0.1:9"), unreachable.getMessage());
  }

  @Test
  void aCommittedTagDirectoryCountsAsThePublishedRebuild() throws Exception {
    Path tagDir = work.resolve("target/rebuild/" + TAG);
    Files.createDirectories(tagDir.resolve("dist"));
    CheckFixtures.tarGz(rebuilt, tagDir.resolve("dist/demo-1.0.0.linux-amd64.go1.22.12.tar.gz"));
    Files.write(tagDir.resolve(ReleaseManifest.FILE), manifest(TAG, "go1.22.12"));
    CheckResult r =
        check(List.of(originalDir, tagDir), List.of(), db, releaseList, GoPolicy.MINOR, null);
    assertEquals(Status.NEEDS_PROJECT_RELEASE, r.status(), r.reason());
    assertEquals("1.22.12", r.publishedGo());
    CheckResult later =
        check(List.of(originalDir, tagDir), List.of(), dbLater, releaseList, GoPolicy.MINOR, null);
    assertEquals(Status.DUE, later.status());
    assertEquals(TAG + "-go1.23.12", later.label());
    // With a counter: one rebuild is published, so the next is the second.
    CheckResult counted =
        check(
            List.of(originalDir, tagDir),
            List.of(),
            dbLater,
            releaseList,
            GoPolicy.MINOR,
            "{project}-{version}-rebuild.{n}");
    assertEquals("demo-1.0.0-rebuild.2", counted.label());

    Path other = work.resolve("target/rebuild/v0.9.0");
    Files.createDirectories(other.resolve("dist"));
    Files.write(other.resolve(ReleaseManifest.FILE), manifest("v0.9.0", "go1.22.12"));
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () -> check(List.of(other), List.of(), db, releaseList, GoPolicy.MINOR, null));
    assertEquals(Checker.PUBLISHED, e.parameter());
    assertTrue(e.getMessage().contains("rebuild of v0.9.0, not of v1.0.0"), e.getMessage());
  }

  @Test
  void reportsForJenkinsAndPeople() throws Exception {
    ReleaseToCheck due =
        new ReleaseToCheck(
            "demo", TAG, "demo", List.of(originalDir), List.of(), List.of(), List.of());
    Path empty = Files.createDirectories(work.resolve("empty-release"));
    Files.writeString(empty.resolve("NOTES.txt"), "no binaries here\n");
    ReleaseToCheck none =
        new ReleaseToCheck("docs", "v2.0.0", null, List.of(empty), List.of(), List.of(), List.of());
    CheckReport report;
    try (VulnerabilitySource source = VulnerabilitySources.open(db.toString())) {
      report = checker(source, releaseList).check(List.of(due, none), GoPolicy.MINOR, null);
    }
    Path dir = work.resolve("reports");
    CheckReportWriters.writeAll(report, dir, true);
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(dir.resolve(CheckReportWriters.PROPERTIES_FILE))));
    assertEquals("true", p.getProperty("demo.REBUILD_DUE"));
    assertEquals("1.22.12", p.getProperty("demo.REBUILD_GO"));
    assertEquals(TAG + "-go1.22.12", p.getProperty("demo.REBUILD_LABEL"));
    assertEquals("false", p.getProperty("docs.REBUILD_DUE"));
    assertEquals("no_go_binaries", p.getProperty("docs.REBUILD_STATUS"));
    assertEquals("demo", p.getProperty("DUE_RELEASES"));
    assertEquals("true", p.getProperty("REBUILD_DUE"));

    Document junit =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(dir.resolve(CheckReportWriters.JUNIT_FILE).toFile());
    assertEquals("1", junit.getDocumentElement().getAttribute("failures"));
    assertEquals("1", junit.getDocumentElement().getAttribute("errors"));
    assertEquals(2, junit.getElementsByTagName("testcase").getLength());

    JsonNode json = CheckFixtures.JSON.readTree(dir.resolve(CheckReportWriters.JSON_FILE).toFile());
    JsonNode demo = json.path("releases").path(0);
    assertEquals("1.21.13", demo.path("publishedGo").asText());
    assertEquals("GO-2024-3107", demo.path("fixableByRebuild").path(0).path("id").asText());
    assertEquals(
        "golang.org/x/text", demo.path("needsProjectRelease").path(0).path("module").asText());
    assertTrue(demo.path("due").asBoolean());
    assertTrue(
        json.path("releases").path(1).path("reason").asText().contains("NOTES.txt")
            || json.path("releases").path(1).path("reason").asText().contains("none a Go binary"));
    String md = Files.readString(dir.resolve(CheckReportWriters.MARKDOWN_FILE));
    assertTrue(
        md.contains("| demo | v1.0.0 | 1.21.13 | **due** | 1.22.12 | v1.0.0-go1.22.12 |"), md);

    // Same inputs, same bytes.
    byte[] first = Files.readAllBytes(dir.resolve(CheckReportWriters.JSON_FILE));
    CheckReportWriters.writeAll(report, dir, true);
    assertEquals(new String(first), Files.readString(dir.resolve(CheckReportWriters.JSON_FILE)));
  }

  @Test
  void publishedFilesAreDownloadedFromTheirUrls() throws Exception {
    byte[] archive =
        Files.readAllBytes(originalDir.resolve("demo-1.0.0.linux-amd64.go1.21.13.tar.gz"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        x -> {
          boolean known = x.getRequestURI().getPath().equals("/dl/v1.0.0/demo.tar.gz");
          x.sendResponseHeaders(known ? 200 : 404, known ? archive.length : -1);
          if (known) {
            x.getResponseBody().write(archive);
          }
          x.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/dl/v1.0.0/";
      CheckResult r = checkUrl(URI.create(base + "demo.tar.gz"));
      assertEquals(Status.DUE, r.status(), r.reason());
      assertEquals(List.of(base + "demo.tar.gz!demo/bin/hello"), r.builds().get(0).binaries());
      RebuildException gone =
          assertThrows(RebuildException.class, () -> checkUrl(URI.create(base + "gone.tar.gz")));
      assertTrue(
          gone.getMessage().contains(base + "gone.tar.gz answered HTTP 404"), gone.getMessage());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aZippedDatabaseGivesTheSameVerdict() throws Exception {
    Path zip = work.resolve("vulndb.zip");
    try (java.util.zip.ZipOutputStream out =
            new java.util.zip.ZipOutputStream(Files.newOutputStream(zip));
        java.util.stream.Stream<Path> walk = Files.walk(db)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new java.util.zip.ZipEntry(db.relativize(f).toString()));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
    CheckResult fromDir =
        check(List.of(originalDir), List.of(), db, releaseList, GoPolicy.MINOR, null);
    CheckResult fromZip =
        check(List.of(originalDir), List.of(), zip, releaseList, GoPolicy.MINOR, null);
    assertEquals(fromDir, fromZip);
  }

  @Test
  void eolMinorWithoutASupportedSuccessorThatFixesEverythingIsReported() throws Exception {
    Path list =
        CheckFixtures.releaseList(work.resolve("short.json"), "1.21.13", "1.22.12", "1.23.7");
    Path tagDir = work.resolve("eol/" + TAG);
    Files.createDirectories(tagDir.resolve("dist"));
    Files.copy(rebuilt, tagDir.resolve("dist/hello"));
    CheckResult r = check(List.of(tagDir), List.of(), dbLater, list, GoPolicy.MINOR, null);
    assertEquals(Status.NO_GO_FIXES, r.status());
    assertFalse(r.due());
    assertTrue(r.reason().contains("no supported Go fixes everything"), r.reason());
    assertTrue(r.reason().contains("go1.23.7 still has GO-2025-3563"), r.reason());
  }

  @Test
  void aDevelopmentGoIsReportedNotJudged() throws Exception {
    Path dir = Files.createDirectories(work.resolve("devel"));
    byte[] bytes = Files.readAllBytes(original);
    // The build info's Go version, right after the buildinfo header, becomes a development one.
    int magic =
        GoFixtures.indexOf(
            bytes, "\u00ff Go buildinf:".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0);
    int at =
        GoFixtures.indexOf(
            bytes, "go1.21.13".getBytes(java.nio.charset.StandardCharsets.US_ASCII), magic);
    assertTrue(magic >= 0 && at > magic, "the build info of " + original);
    System.arraycopy(
        "devel abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, at, 9);
    Files.write(dir.resolve("hello"), bytes);
    String seen =
        GoFixtures.run(
            work,
            Map.of(),
            CheckFixtures.go(TestTools.machineGo()),
            "version",
            dir.resolve("hello").toString());
    assertTrue(seen.contains("devel abc"), "go version reads the patched binary: " + seen);
    CheckResult r = check(List.of(dir), List.of(), db, releaseList, GoPolicy.MINOR, null);
    assertEquals(Status.UNKNOWN_GO, r.status());
    assertTrue(r.reason().contains("'devel abc'"), r.reason());
  }

  @Test
  void unreachableSourcesAndBadInputAreErrorsNamingThem() throws Exception {
    RebuildException missing =
        assertThrows(
            RebuildException.class,
            () ->
                check(
                    List.of(work.resolve("nowhere")),
                    List.of(),
                    db,
                    releaseList,
                    GoPolicy.MINOR,
                    null));
    assertEquals(Checker.PUBLISHED, missing.parameter());
    assertTrue(missing.getMessage().contains("nowhere does not exist"));

    RebuildException label =
        assertThrows(
            RebuildException.class,
            () ->
                check(
                    List.of(originalDir),
                    List.of(),
                    db,
                    releaseList,
                    GoPolicy.MINOR,
                    "{tag}-{oops}"));
    assertEquals(Checker.LABEL, label.parameter());
    assertTrue(label.getMessage().contains("{oops}"), label.getMessage());

    try (VulnerabilitySource down = VulnerabilitySources.open("http://127.0.0.1:9/vulndb")) {
      RebuildException db =
          assertThrows(
              RebuildException.class,
              () ->
                  checker(down, releaseList)
                      .check(
                          List.of(
                              new ReleaseToCheck(
                                  "demo",
                                  TAG,
                                  null,
                                  List.of(originalDir),
                                  List.of(),
                                  List.of(),
                                  List.of())),
                          GoPolicy.MINOR,
                          null));
      assertEquals(RebuildException.Kind.TOOL, db.kind());
      assertTrue(db.getMessage().contains("127.0.0.1:9"), db.getMessage());
    }

    ToolchainException list =
        assertThrows(
            ToolchainException.class,
            () -> store("http://127.0.0.1:9/dl/?mode=json", "http://127.0.0.1:9/proxy").releases());
    assertTrue(list.getMessage().contains("http://127.0.0.1:9/dl/?mode=json"), list.getMessage());
    assertTrue(list.getMessage().contains("127.0.0.1:9/proxy"), list.getMessage());

    RebuildException registry =
        assertThrows(
            RebuildException.class,
            () ->
                check(
                    List.of(),
                    List.of("127.0.0.1:9/demo/hello"),
                    db,
                    releaseList,
                    GoPolicy.MINOR,
                    null));
    assertEquals(Checker.IMAGES, registry.parameter());
    assertTrue(registry.getMessage().contains("127.0.0.1:9/demo/hello"), registry.getMessage());
  }

  @Test
  void aProxyToolchainListServesAsTheReleaseList() throws Exception {
    Path proxy = Files.createDirectories(work.resolve("proxy/golang.org/toolchain/@v"));
    Files.writeString(
        proxy.resolve("list"),
        "v0.0.1-go1.22.12.linux-amd64\nv0.0.1-go1.23.12.linux-amd64\nv0.0.1-go1.24rc1.linux-amd64\n"
            + "v0.0.1-go1.21.13.linux-arm64\n");
    GoReleaseList list =
        store(work.resolve("missing.json").toString(), work.resolve("proxy").toUri().toString())
            .releases();
    assertEquals(
        List.of("go1.24rc1", "go1.23.12", "go1.22.12", "go1.21.13"),
        list.releases().stream().map(r -> r.version().toString()).toList());
  }

  // ---- helpers

  private static CheckResult check(
      List<Path> published,
      List<String> images,
      Path database,
      Path releases,
      GoPolicy policy,
      String label)
      throws Exception {
    try (VulnerabilitySource source = VulnerabilitySources.open(database.toString())) {
      CheckReport report =
          checker(source, releases)
              .check(
                  List.of(
                      new ReleaseToCheck(
                          "demo", TAG, "demo", published, List.of(), images, List.of())),
                  policy,
                  label);
      return report.results().get(0);
    }
  }

  private static CheckResult checkUrl(URI url) throws Exception {
    try (VulnerabilitySource source = VulnerabilitySources.open(db.toString())) {
      return checker(source, releaseList)
          .check(
              List.of(
                  new ReleaseToCheck(
                      "demo", TAG, "demo", List.of(), List.of(url), List.of(), List.of())),
              GoPolicy.MINOR,
              null)
          .results()
          .get(0);
    }
  }

  private static GitHubApi api(URI root, String token) {
    return new GitHubApi(
        root,
        token,
        java.time.Clock.systemUTC(),
        d -> {},
        java.time.Duration.ofSeconds(1),
        java.time.Duration.ofMillis(1),
        m -> {});
  }

  private static CheckResult checkGitHub(GitHubApi api, String repo, Path database, String label)
      throws Exception {
    try (VulnerabilitySource source = VulnerabilitySources.open(database.toString())) {
      return new Checker(
              new ArtifactScanner(),
              null,
              api,
              source,
              store(releaseList.toString(), "off").releases(),
              new RecordingReleaseListener(new ArrayList<>()))
          .check(
              List.of(
                  new ReleaseToCheck(
                      "demo", TAG, "demo", List.of(), List.of(), List.of(), List.of(repo))),
              GoPolicy.MINOR,
              label)
          .results()
          .get(0);
    }
  }

  private static Checker checker(VulnerabilitySource source, Path releases) throws Exception {
    return new Checker(
        new ArtifactScanner(),
        new ImageInspector(
            RegistryClientFactory.DEFAULT, CredentialSource.NONE, Set.of(REGISTRY.host())),
        source,
        store(releases.toString(), "off").releases(),
        new RecordingReleaseListener(new ArrayList<>()));
  }

  private static ToolchainStore store(String releaseList, String proxy) {
    return new ToolchainStore(
        ToolchainSettings.builder()
            .releaseList(releaseList)
            .goproxy(proxy)
            .cacheDir(work.resolve("toolchains"))
            .build(),
        new CommonsExecProcessRunner(),
        new ToolchainListener() {});
  }

  private static Set<String> ids(List<Finding> findings) {
    return findings.stream().map(Finding::id).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * govulncheck's findings ({@code -mode binary -scan module}): id to its fixed version, for the
   * standard library ({@code stdlib}) or the modules.
   */
  private static Map<String, String> govulncheck(Path binary, Path database, boolean stdlib)
      throws IOException {
    Map<String, String> fixes = new TreeMap<>();
    for (JsonNode f : Govulncheck.findings(binary, database, work)) {
      boolean isStdlib = f.path("trace").path(0).path("module").asText().equals("stdlib");
      if (isStdlib == stdlib) {
        fixes.put(f.path("osv").asText(), f.path("fixed_version").asText());
      }
    }
    return fixes;
  }

  /**
   * The Go a policy must pick, from govulncheck's fixed versions and the release list alone: the
   * two newest minors are supported; a release fixes everything when it is at or above every fixed
   * version govulncheck names. Null when none qualifies.
   */
  static String expectedGo(
      GoPolicy policy, String current, java.util.Collection<String> fixedIn, List<String> list) {
    Comparator<String> order = Comparator.comparing(CheckerTest::numbers, CheckerTest::compare);
    List<String> stable =
        list.stream().filter(v -> !v.contains("rc")).sorted(order.reversed()).toList();
    List<String> lines = stable.stream().map(CheckerTest::line).distinct().limit(2).toList();
    java.util.function.Function<String, String> newest =
        l -> stable.stream().filter(v -> line(v).equals(l)).findFirst().orElseThrow();
    java.util.function.Predicate<String> fixes =
        v -> fixedIn.stream().allMatch(f -> order.compare(v, f.replaceFirst("^(go|v)", "")) >= 0);
    switch (policy) {
      case PATCH:
        return lines.contains(line(current)) && fixes.test(newest.apply(line(current)))
            ? newest.apply(line(current))
            : null;
      case LATEST:
        return fixes.test(stable.get(0)) ? stable.get(0) : null;
      default:
        return lines.stream()
            .sorted(Comparator.comparing(CheckerTest::numbers, CheckerTest::compare))
            .filter(l -> compare(numbers(l), numbers(line(current))) >= 0)
            .map(newest)
            .filter(fixes)
            .findFirst()
            .orElse(null);
    }
  }

  private static String line(String v) {
    String[] p = v.split("\\.");
    return p[0] + "." + p[1];
  }

  private static int[] numbers(String v) {
    return Arrays.stream(v.split("\\.")).mapToInt(Integer::parseInt).toArray();
  }

  private static int compare(int[] a, int[] b) {
    return Arrays.compare(a, b);
  }

  /** A committed tag directory's manifest as the pipeline writes it, for {@code tag}. */
  private static byte[] manifest(String tag, String go) {
    return new ReleaseManifest(
            ReleaseManifest.SCHEMA,
            "demo",
            "example.com/demo",
            tag,
            tag.substring(1),
            "0".repeat(40),
            "2026-01-01T00:00:00Z",
            "file:///demo.git",
            new ReleaseManifest.Toolchain(go, "cache", null, null),
            null,
            List.of(),
            null)
        .toJson();
  }

  /** Pushes a one-layer linux/amd64 image holding {@code binary} as /usr/local/bin/hello. */
  private static void pushImage(Path binary, String ref) throws IOException {
    pushImage(binary, ref, "linux/amd64");
  }

  private static void pushImage(Path binary, String ref, String platform) throws IOException {
    Path dir = Files.createTempDirectory(work, "layer");
    Files.createDirectories(dir.resolve("root/usr/local/bin"));
    Files.copy(binary, dir.resolve("root/usr/local/bin/hello"));
    GoFixtures.run(
        dir,
        Map.of(),
        "tar",
        "-cf",
        dir.resolve("layer.tar").toString(),
        "-C",
        dir.resolve("root").toString(),
        "usr");
    Crane crane = Crane.anonymous();
    crane.ok("append", "--oci-empty-base", "-f", dir.resolve("layer.tar").toString(), "-t", ref);
    crane.ok("mutate", ref, "--set-platform", platform, "-t", ref);
  }
}
