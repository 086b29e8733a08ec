package dev.rebuild.maven;

import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.PublishedRelease.ReleaseFile;
import dev.rebuild.core.testing.ChildKill;
import dev.rebuild.core.testing.DavServer;
import dev.rebuild.core.testing.DavServer.Option;
import dev.rebuild.core.testing.DavServers;
import dev.rebuild.core.testing.FileJournal;
import dev.rebuild.core.testing.PublishFixtures;
import dev.rebuild.core.testing.RecordingReleaseListener;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.connector.basic.BasicRepositoryConnectorFactory;
import org.eclipse.aether.impl.DefaultServiceLocator;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.spi.connector.RepositoryConnectorFactory;
import org.eclipse.aether.spi.connector.transport.TransporterFactory;
import org.eclipse.aether.transport.http.HttpTransporterFactory;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Maven destination through Maven Resolver 1.6.3 (what Maven 3.8.7 runs) against a real WebDAV
 * repository on 127.0.0.1 that, like a release repository, never replaces an artifact; read back
 * with {@code curl} and checked with {@code sha256sum -c} and {@code sha1sum}. The invoker IT
 * {@code publish-maven-http} runs it inside Maven 3.8.7 and 3.9 with {@code mvn dependency:get}.
 */
class MavenDestinationTest {

  static final String REPO_ID = "dav-releases";
  static final String USER = "deployer";
  static final String PASSWORD = "m4ven-Pa55word";
  static final String GROUP = "io.example.rebuild";
  static final String VERSION = "1.0.0-go1.22.12";

  @TempDir Path tmp;
  final List<String> log = new CopyOnWriteArrayList<>();

  DavServers servers;

  @BeforeEach
  void servers() {
    servers = new DavServers(tmp, USER, PASSWORD);
  }

  @AfterEach
  void stopServers() throws Exception {
    servers.close();
  }

  DavServer server(int port, int exitAfterPuts) throws Exception {
    return servers.start(port, exitAfterPuts, Option.AUTOCREATE, Option.IMMUTABLE);
  }

  static RepositorySystem system() {
    DefaultServiceLocator locator = MavenRepositorySystemUtils.newServiceLocator();
    locator.addService(RepositoryConnectorFactory.class, BasicRepositoryConnectorFactory.class);
    locator.addService(TransporterFactory.class, HttpTransporterFactory.class);
    return locator.getService(RepositorySystem.class);
  }

  /** A session as Maven makes it from a settings.xml with a server {@code REPO_ID}. */
  DefaultRepositorySystemSession session(RepositorySystem system, String password) {
    return session(system, tmp.resolve("local"), REPO_ID, USER, password);
  }

  /** A session as Maven makes it from a settings.xml with the server {@code id}. */
  static DefaultRepositorySystemSession session(
      RepositorySystem system, Path localRepository, String id, String user, String password) {
    DefaultRepositorySystemSession s = MavenRepositorySystemUtils.newSession();
    s.setLocalRepositoryManager(
        system.newLocalRepositoryManager(s, new LocalRepository(localRepository.toFile())));
    s.setAuthenticationSelector(
        new DefaultAuthenticationSelector()
            .add(id, new AuthenticationBuilder().addUsername(user).addPassword(password).build()));
    return s;
  }

  PublishRecord publish(DavServer s, PublishedRelease r, FileJournal j, String password)
      throws Exception {
    RepositorySystem system = system();
    return new MavenDestination(
            system, session(system, password), REPO_ID + "::" + s.url("/releases"), GROUP, "demo")
        .publish(r, j, new RecordingReleaseListener(log));
  }

  FileJournal journal(PublishedRelease r) {
    return new FileJournal(tmp.resolve("publish/maven.json"), r.manifestSha256());
  }

  static String path(String classifierAndExtension) {
    return "/releases/io/example/rebuild/demo/"
        + VERSION
        + "/demo-"
        + VERSION
        + classifierAndExtension;
  }

  /** The artifact uploads (no checksum or metadata files) that succeeded. */
  static List<String> artifactPuts(DavServer s) throws Exception {
    return s.succeeded("PUT").stream()
        .filter(l -> !l.contains("maven-metadata.xml") && !l.matches(".*\\.(sha1|md5) 2\\d\\d$"))
        .toList();
  }

  /**
   * Downloads each artifact by its Maven name under its release name (byte for byte the release's
   * file) and checks the archives with {@code sha256sum -c} against the deployed checksums, every
   * artifact's .sha1 with {@code sha1sum}, and that the metadata lists the version.
   */
  void assertServed(DavServer s, PublishedRelease r) throws Exception {
    Path back = Files.createTempDirectory(tmp, "back");
    List<String> suffixes =
        List.of(
            "-linux-amd64.tar.gz",
            "-windows-amd64.zip",
            "-sha256sums.txt",
            "-rebuild-manifest.json",
            "-verification-report.md");
    for (int k = 0; k < suffixes.size(); k++) {
      ReleaseFile f = r.files().get(k);
      servers.download(back, f.name(), s.url(path(suffixes.get(k))));
      assertEquals(-1L, Files.mismatch(f.path(), back.resolve(f.name())), f.name());
    }
    String check =
        run(back, Map.of("LC_ALL", "C"), "sha256sum", "--strict", "-c", PublishFixtures.SUMS);
    assertEquals(
        List.of(PublishFixtures.AMD64 + ": OK", PublishFixtures.WINDOWS + ": OK"),
        check.lines().sorted().toList());
    for (String suffix : concat(suffixes, ".pom")) {
      String name = "artifact" + suffix;
      servers.download(back, name, s.url(path(suffix)));
      String sha1 = servers.get(back, s.url(path(suffix) + ".sha1")).strip();
      assertEquals(sha1 + "  " + name, run(back, Map.of(), "sha1sum", name).strip(), suffix);
    }
    String metadata =
        servers.get(back, s.url("/releases/io/example/rebuild/demo/maven-metadata.xml"));
    assertTrue(metadata.contains("<version>" + VERSION + "</version>"), metadata);
  }

  static List<String> concat(List<String> list, String last) {
    List<String> out = new ArrayList<>(list);
    out.add(last);
    return out;
  }

  @Test
  void deploysEveryArtifactOnceAndARerunDeploysNothing() throws Exception {
    DavServer s = server(0, 0);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 1);
    FileJournal j = journal(r);

    PublishRecord first = publish(s, r, j, PASSWORD);

    assertEquals(6, artifactPuts(s).size(), s.requests().toString());
    assertServed(s, r);
    assertEquals("maven:" + s.url("/releases") + "#" + GROUP + ":demo", first.destination());
    assertEquals(
        List.of(
            GROUP + ":demo:tar.gz:linux-amd64:" + VERSION,
            GROUP + ":demo:zip:windows-amd64:" + VERSION,
            GROUP + ":demo:txt:sha256sums:" + VERSION,
            GROUP + ":demo:json:rebuild-manifest:" + VERSION,
            GROUP + ":demo:md:verification-report:" + VERSION,
            GROUP + ":demo:pom:" + VERSION),
        first.items().stream().map(PublishRecord.Item::reference).toList());
    assertEquals("sha256:" + r.files().get(0).sha256(), first.items().get(0).digest());
    assertEquals(6, j.saved.size(), "the journal is saved after every artifact");
    String recordText = Files.readString(tmp.resolve("publish/maven.json"));
    assertFalse(recordText.contains(PASSWORD), recordText);

    int before = s.requests().size();
    PublishRecord again = publish(s, r, j, PASSWORD);
    List<String> rerun = s.requests().subList(before, s.requests().size());
    assertTrue(rerun.stream().noneMatch(l -> l.startsWith("PUT ")), "the rerun uploaded " + rerun);
    assertEquals(first, again);
    assertTrue(
        log.contains(
            "maven: nothing new to deploy to " + REPO_ID + " (" + s.url("/releases") + ")"),
        log.toString());
    // Deploying keeps the repository's metadata locally, as maven-deploy-plugin does; the
    // look-ups leave no artifact there.
    try (Stream<Path> local = Files.walk(tmp.resolve("local"))) {
      List<String> files =
          local
              .filter(Files::isRegularFile)
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("demo-"))
              .toList();
      assertEquals(List.of(), files, "the look-ups leave no artifact in the local repository");
    }
  }

  @Test
  void anArtifactLeftWithoutChecksumsIsNamed() throws Exception {
    DavServer s = server(0, 0);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 9);
    publish(s, r, journal(r), PASSWORD);
    // What a deploy killed between the archive and its checksum files leaves, and no record.
    Files.delete(s.root().resolve(path("-windows-amd64.zip.sha1").substring(1)));
    Files.delete(s.root().resolve(path("-windows-amd64.zip.md5").substring(1)));
    int before = s.requests().size();

    publish(s, r, new FileJournal(tmp.resolve("publish/other.json"), r.manifestSha256()), PASSWORD);

    List<String> rerun = s.requests().subList(before, s.requests().size());
    assertTrue(rerun.stream().noneMatch(l -> l.startsWith("PUT ")), rerun.toString());
    List<String> warnings = log.stream().filter(l -> l.contains("WARNING")).toList();
    assertEquals(1, warnings.size(), log.toString());
    assertTrue(
        warnings
            .get(0)
            .startsWith(
                "maven: WARNING: "
                    + GROUP
                    + ":demo:zip:windows-amd64:"
                    + VERSION
                    + " has no .sha1"),
        warnings.get(0));
  }

  @Test
  void aRedeployWithOtherBytesIsRefusedBeforeAnythingIsDeployed() throws Exception {
    DavServer s = server(0, 0);
    PublishedRelease a = PublishFixtures.release(tmp.resolve("a"), 2);
    publish(s, a, journal(a), PASSWORD);
    PublishedRelease b = PublishFixtures.release(tmp.resolve("b"), 3);
    int before = s.requests().size();

    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(s, b, journal(b), PASSWORD));

    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertEquals("publish.maven.repository", e.parameter());
    assertTrue(
        e.getMessage()
            .contains(
                GROUP
                    + ":demo:tar.gz:linux-amd64:"
                    + VERSION
                    + " (for "
                    + PublishFixtures.AMD64
                    + ")"),
        e.getMessage());
    assertTrue(e.getMessage().contains("nothing was deployed"), e.getMessage());
    assertTrue(e.getMessage().contains("another label"), e.getMessage());
    List<String> after = s.requests().subList(before, s.requests().size());
    assertTrue(after.stream().noneMatch(l -> l.startsWith("PUT ")), after.toString());
    assertServed(s, a);
  }

  @Test
  void wrongCredentialsNameTheSettingsServer() throws Exception {
    DavServer s = server(0, 0);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 4);
    FileJournal j = journal(r);

    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(s, r, j, "wrong-password"));

    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("settings.xml <server> with id " + REPO_ID), e.getMessage());
    assertTrue(e.getMessage().contains("(401)"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-password"), e.getMessage());
    assertEquals(List.of(), s.succeeded("PUT"));
    assertTrue(j.previous().isEmpty());
  }

  @Test
  void aServerThatGoesDownHalfwayIsFinishedByARerun() throws Exception {
    DavServer s = server(0, 9);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 5);
    FileJournal j = journal(r);

    RebuildException e = assertThrows(RebuildException.class, () -> publish(s, r, j, PASSWORD));

    assertTrue(s.awaitExit(Duration.ofSeconds(10)), "the server stopped halfway");
    assertEquals(RebuildException.Kind.TOOL, e.kind(), e.getMessage());
    int recorded = j.previous().map(p -> p.items().size()).orElse(0);
    assertTrue(
        e.getMessage().contains(recorded + " of 6 artifacts are in the repository"),
        e.getMessage());
    assertTrue(recorded >= 1 && recorded < 6, "recorded " + recorded);

    DavServer up = server(s.port(), 0);
    publish(up, r, j, PASSWORD);

    assertEquals(6, j.previous().orElseThrow().items().size());
    List<String> puts = artifactPuts(up);
    assertEquals(6, puts.size(), "every artifact uploaded once: " + up.requests());
    assertEquals(6, new HashSet<>(puts).size(), puts.toString());
    assertServed(up, r);
  }

  @Test
  void aRepositoryUrlWithNoRepositoryBehindItIsNamed() throws Exception {
    HttpServer none = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    none.createContext(
        "/",
        x -> {
          x.getRequestBody().readAllBytes();
          x.sendResponseHeaders(404, -1);
          x.close();
        });
    none.start();
    try {
      PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 11);
      String url = "http://127.0.0.1:" + none.getAddress().getPort() + "/repository/typo";
      RepositorySystem system = system();
      MavenDestination d =
          new MavenDestination(
              system, session(system, PASSWORD), REPO_ID + "::" + url, GROUP, "demo");
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () -> d.publish(r, journal(r), new RecordingReleaseListener(log)));
      assertEquals("publish.maven.repository", e.parameter(), e.getMessage());
      assertTrue(
          e.getMessage().contains("the server has no repository at " + url + " (404)"),
          e.getMessage());
      assertTrue(e.getMessage().contains("0 of 6 artifacts are in the repository"), e.getMessage());
    } finally {
      none.stop(0);
    }
  }

  @Test
  void killedMidUploadTheRerunDeploysOnlyTheRest() throws Exception {
    DavServer s = server(0, 0);
    Path release = tmp.resolve("release");
    Path record = tmp.resolve("publish/maven.json");
    String paused =
        ChildKill.killAt(
            MavenCrashChild.class,
            List.of(
                release.toString(),
                "13",
                REPO_ID + "::" + s.url("/releases"),
                USER,
                PASSWORD,
                tmp.resolve("child-local").toString(),
                record.toString(),
                "windows-amd64.zip"),
            "unused",
            tmp.resolve("child.paused"),
            tmp.resolve("child.log"),
            Duration.ofMinutes(2));
    assertTrue(paused.endsWith("demo-" + VERSION + "-windows-amd64.zip"), paused);
    String brokenPut = "PUT " + path("-windows-amd64.zip") + " 400";
    assertTrue(
        s.awaitRequest(brokenPut, Duration.ofSeconds(10)),
        "the upload was broken off: " + s.requests());
    assertFalse(
        Files.exists(s.root().resolve(path("-windows-amd64.zip").substring(1))),
        "nothing of the broken upload is there");
    PublishedRelease r = PublishFixtures.release(release, 13);
    FileJournal j = new FileJournal(record, r.manifestSha256());
    assertEquals(1, j.previous().orElseThrow().items().size(), "the record lists the first");

    publish(s, r, j, PASSWORD);

    List<String> puts = artifactPuts(s);
    assertEquals(6, puts.size(), "every artifact uploaded once: " + s.requests());
    assertEquals(6, new HashSet<>(puts).size(), puts.toString());
    assertServed(s, r);
  }

  @Test
  void badRepositoriesAndCoordinatesAreRefusedNamingTheParameter() {
    RepositorySystem system = system();
    DefaultRepositorySystemSession session = session(system, PASSWORD);
    for (String repo :
        List.of(
            "",
            "https://repo.example.com/releases",
            "id::ftp://x/",
            "id::https://u:p@repo.example.com/")) {
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () -> new MavenDestination(system, session, repo, GROUP, null),
              repo);
      assertEquals("publish.maven.repository", e.parameter(), repo);
      assertFalse(e.getMessage().contains("u:p@"), e.getMessage());
    }
    RebuildException noGroup =
        assertThrows(
            RebuildException.class,
            () ->
                new MavenDestination(system, session, "r::https://repo.example.com/", null, null));
    assertEquals("publish.maven.groupId", noGroup.parameter());
  }

  static ReleaseFile attachment(Path dir, String name) {
    return new ReleaseFile(
        name, dir.resolve(name), "0".repeat(64), 1, PublishedRelease.Role.ATTACHMENT, null, null);
  }

  /**
   * dist/'s documents keep their whole name: the classifier is the name without its last extension,
   * so the provenance, SBOM and VEX of every archive get coordinates of their own, and none takes
   * an archive's.
   */
  @Test
  void documentsAreDeployedUnderTheirOwnNames() throws Exception {
    String amd64 = "demo-1.0.0.linux-amd64.go1.22.12.tar.gz";
    String windows = "demo-1.0.0.windows-amd64.go1.22.12.zip";
    Map<String, String> expected =
        Map.of(
            amd64 + ".intoto.jsonl",
            amd64 + ".intoto:jsonl",
            amd64 + ".cdx.json",
            amd64 + ".cdx:json",
            windows + ".intoto.jsonl",
            windows + ".intoto:jsonl",
            windows + ".cdx.json",
            windows + ".cdx:json",
            "demo-v1.0.0-go1.22.12.openvex.json",
            "demo-v1.0.0-go1.22.12.openvex:json");
    RepositorySystem system = system();
    MavenDestination d =
        new MavenDestination(
            system, session(system, PASSWORD), REPO_ID + "::http://127.0.0.1:9/r", GROUP, "demo");
    PublishedRelease base = PublishFixtures.release(tmp.resolve("release"), 1);
    List<ReleaseFile> files = new ArrayList<>(base.files());
    expected.keySet().stream().sorted().forEach(n -> files.add(attachment(tmp, n)));
    Path pomDir = Files.createDirectories(tmp.resolve("pom"));
    List<MavenDestination.Planned> plan =
        d.plan(
            new PublishedRelease(
                base.root(), base.manifest(), base.manifestSha256(), base.label(), files),
            pomDir);

    Map<String, String> got = new java.util.TreeMap<>();
    for (MavenDestination.Planned p : plan) {
      if (expected.containsKey(p.shown())) {
        got.put(p.shown(), p.artifact().getClassifier() + ":" + p.artifact().getExtension());
      }
    }
    assertEquals(new java.util.TreeMap<>(expected), got);
    assertEquals(
        plan.size(),
        new HashSet<>(
                plan.stream()
                    .map(p -> p.artifact().getClassifier() + ":" + p.artifact().getExtension())
                    .toList())
            .size(),
        "two files on one classifier and extension: " + plan);
  }

  /**
   * Names that differ only in characters a classifier cannot hold would share coordinates: refused
   * before anything is looked up or deployed, naming both.
   */
  @Test
  void twoDocumentsOnTheSameCoordinatesAreRefused() throws Exception {
    RepositorySystem system = system();
    MavenDestination d =
        new MavenDestination(
            system, session(system, PASSWORD), REPO_ID + "::http://127.0.0.1:9/r", GROUP, "demo");
    PublishedRelease r =
        new PublishedRelease(
            tmp,
            null,
            "0".repeat(64),
            "v1.0.0-go1.22.12",
            List.of(attachment(tmp, "a+b.cdx.json"), attachment(tmp, "a b.cdx.json")));
    RebuildException e =
        assertThrows(
            RebuildException.class, () -> d.plan(r, Files.createDirectories(tmp.resolve("pom"))));
    assertEquals("publish.maven", e.parameter());
    assertTrue(
        e.getMessage().contains("a+b.cdx.json and a b.cdx.json would both be deployed"),
        e.getMessage());
  }
}
