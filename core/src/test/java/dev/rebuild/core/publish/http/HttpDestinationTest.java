package dev.rebuild.core.publish.http;

import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.pipeline.CrashChild;
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
import java.net.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP destination against a real WebDAV server on 127.0.0.1 ({@link DavServer}), read back
 * with {@code curl} and checked with {@code sha256sum -c}.
 */
class HttpDestinationTest {

  static final String USER = "deployer";
  static final String PASSWORD = "s3cret-Pa55word";
  static final String SERVER_ID = "raw-repo";
  static final HttpDestination.Credentials CREDENTIALS =
      new HttpDestination.Credentials(SERVER_ID, USER, PASSWORD);

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

  DavServer server(int port, int exitAfterPuts, Option... options) throws Exception {
    return servers.start(port, exitAfterPuts, options);
  }

  PublishRecord publish(DavServer s, PublishedRelease r, FileJournal j) throws Exception {
    return new HttpDestination(s.url("/raw/demo/"), CREDENTIALS)
        .publish(r, j, new RecordingReleaseListener(log));
  }

  FileJournal journal(PublishedRelease r) {
    return new FileJournal(tmp.resolve("publish/http.json"), r.manifestSha256());
  }

  /** Downloads every file with curl and checks the archives with sha256sum -c. */
  void assertServed(DavServer s, PublishedRelease r) throws Exception {
    Path back = Files.createTempDirectory(tmp, "back");
    for (ReleaseFile f : r.files()) {
      servers.download(back, f.name(), s.url("/raw/demo/" + f.name()));
      assertEquals(-1L, Files.mismatch(f.path(), back.resolve(f.name())), f.name());
    }
    String check =
        run(back, Map.of("LC_ALL", "C"), "sha256sum", "--strict", "-c", PublishFixtures.SUMS);
    assertEquals(
        List.of(PublishFixtures.AMD64 + ": OK", PublishFixtures.WINDOWS + ": OK"),
        check.lines().sorted().toList());
  }

  @Test
  void uploadsEveryFileOnceAndARerunUploadsNothing() throws Exception {
    DavServer s = server(0, 0);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 1);
    FileJournal j = journal(r);

    PublishRecord first = publish(s, r, j);

    assertEquals(r.files().size(), s.succeeded("PUT").size(), s.requests().toString());
    assertTrue(
        s.requests().contains("MKCOL /raw/ 201") && s.requests().contains("MKCOL /raw/demo/ 201"),
        "the missing collections were created: " + s.requests());
    assertServed(s, r);
    assertEquals("http:" + s.url("/raw/demo/"), first.destination());
    assertEquals(r.files().size(), first.items().size());
    assertEquals(s.url("/raw/demo/" + PublishFixtures.AMD64), first.items().get(0).reference());
    assertEquals("sha256:" + r.files().get(0).sha256(), first.items().get(0).digest());
    assertEquals(r.files().size(), j.saved.size(), "the journal is saved after every file");
    assertEquals(first, j.previous().orElseThrow());
    String recordText = Files.readString(tmp.resolve("publish/http.json"));
    assertFalse(recordText.contains(PASSWORD) || recordText.contains(USER), recordText);

    int before = s.requests().size();
    PublishRecord again = publish(s, r, j);
    List<String> rerun = s.requests().subList(before, s.requests().size());
    assertTrue(rerun.stream().allMatch(l -> l.startsWith("HEAD ")), "rerun sent " + rerun);
    assertEquals(first, again);
    assertTrue(
        log.contains("http: nothing new to upload to " + s.url("/raw/demo/")), log.toString());

    // Without the record and without checksum headers, the files are downloaded and compared.
    Files.delete(tmp.resolve("publish/http.json"));
    before = s.requests().size();
    publish(s, r, journal(r));
    rerun = s.requests().subList(before, s.requests().size());
    assertTrue(rerun.stream().noneMatch(l -> l.startsWith("PUT ")), "rerun sent " + rerun);
    assertEquals(
        r.files().size(),
        rerun.stream().filter(l -> l.startsWith("GET ")).count(),
        rerun.toString());
    assertFalse(String.join("\n", log).contains(PASSWORD));
  }

  @Test
  void checksumHeadersSpareTheDownload() throws Exception {
    DavServer s = server(0, 0, Option.CHECKSUMS, Option.AUTOCREATE);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 2);
    publish(s, r, journal(r));
    int before = s.requests().size();
    publish(s, r, new FileJournal(tmp.resolve("publish/other.json"), r.manifestSha256()));
    List<String> rerun = s.requests().subList(before, s.requests().size());
    assertEquals(r.files().size(), rerun.size(), rerun.toString());
    assertTrue(
        rerun.stream().allMatch(l -> l.startsWith("HEAD ") && l.endsWith(" 200")),
        rerun.toString());
  }

  @Test
  void otherBytesUnderTheSameNameAreRefusedBeforeAnyUpload() throws Exception {
    DavServer s = server(0, 0, Option.AUTOCREATE);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 3);
    // The second file is already there with other bytes of the same size.
    PublishedRelease other = PublishFixtures.release(tmp.resolve("other"), 4);
    Path theirs = s.root().resolve("raw/demo/" + PublishFixtures.WINDOWS);
    Files.createDirectories(theirs.getParent());
    Files.copy(other.files().get(1).path(), theirs);
    FileJournal j = journal(r);

    RebuildException e = assertThrows(RebuildException.class, () -> publish(s, r, j));

    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertTrue(
        e.getMessage()
            .startsWith(
                s.url("/raw/demo/" + PublishFixtures.WINDOWS)
                    + " already holds other bytes than this rebuild's file of the same name"),
        e.getMessage());
    assertTrue(e.getMessage().contains("delete it on the server and run again"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing was uploaded"), e.getMessage());
    assertEquals(
        -1L, Files.mismatch(other.files().get(1).path(), theirs), "their file is untouched");
    assertTrue(j.previous().isEmpty(), "no file is recorded");
    assertEquals(List.of(), s.succeeded("PUT"), "nothing partial is published");

    // rebuild.replaceAssets=true: the release's own file is uploaded over.
    new HttpDestination(s.url("/raw/demo/"), CREDENTIALS, true)
        .publish(r, j, new RecordingReleaseListener(log));
    assertTrue(
        log.contains(
            "http: replaced "
                + PublishFixtures.WINDOWS
                + " at "
                + s.url("/raw/demo/" + PublishFixtures.WINDOWS)),
        log.toString());
    assertServed(s, r);
  }

  @Test
  void wrongCredentialsNameTheServerIdAndUploadNothing() throws Exception {
    DavServer s = server(0, 0, Option.AUTOCREATE);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 5);
    HttpDestination wrong =
        new HttpDestination(
            s.url("/raw/demo/"),
            new HttpDestination.Credentials(SERVER_ID, USER, "wrong-password"));
    FileJournal j = journal(r);

    RebuildException e =
        assertThrows(
            RebuildException.class, () -> wrong.publish(r, j, new RecordingReleaseListener(log)));

    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertEquals("publish.http.serverId", e.parameter());
    assertTrue(
        e.getMessage()
            .contains("refused " + s.url("/raw/demo/" + PublishFixtures.AMD64) + " (401)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("settings.xml <server> " + SERVER_ID), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-password"), e.getMessage());
    assertEquals(List.of(), s.succeeded("PUT"));
    assertTrue(j.previous().isEmpty());

    HttpDestination none = new HttpDestination(s.url("/raw/demo/"), null);
    RebuildException anonymous =
        assertThrows(
            RebuildException.class, () -> none.publish(r, j, new RecordingReleaseListener(log)));
    assertTrue(
        anonymous
            .getMessage()
            .contains("add a <server> with them to settings.xml and name its id in <serverId>"),
        anonymous.getMessage());
  }

  @Test
  void aServerThatGoesDownHalfwayIsFinishedByARerun() throws Exception {
    DavServer s = server(0, 2, Option.AUTOCREATE);
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 6);
    FileJournal j = journal(r);

    RebuildException e = assertThrows(RebuildException.class, () -> publish(s, r, j));

    assertTrue(s.awaitExit(Duration.ofSeconds(10)), "the server stopped after two uploads");
    assertEquals(RebuildException.Kind.TOOL, e.kind());
    assertTrue(
        e.getMessage().contains("2 of 5 files are at " + s.url("/raw/demo/")), e.getMessage());
    assertEquals(2, j.previous().orElseThrow().items().size());

    DavServer up = server(s.port(), 0, Option.AUTOCREATE);
    int before = up.succeeded("PUT").size();
    publish(up, r, j);
    assertEquals(
        3, up.succeeded("PUT").size() - before, "only the rest is uploaded: " + up.requests());
    assertEquals(5, j.previous().orElseThrow().items().size());
    assertServed(up, r);
  }

  @Test
  void killedMidUploadTheRerunUploadsOnlyTheRest() throws Exception {
    DavServer s = server(0, 0, Option.AUTOCREATE);
    Path release = tmp.resolve("release");
    Path record = tmp.resolve("publish/http.json");
    String paused =
        ChildKill.killAt(
            CrashChild.class,
            List.of(
                "publish-http",
                release.toString(),
                "8",
                s.url("/raw/demo/"),
                USER,
                PASSWORD,
                record.toString()),
            "^http: sent 1048576 of \\d+ bytes of " + Pattern.quote(PublishFixtures.WINDOWS),
            tmp.resolve("child.paused"),
            tmp.resolve("child.log"),
            Duration.ofMinutes(2));
    assertTrue(paused.contains(PublishFixtures.WINDOWS), paused);
    String brokenPut = "PUT /raw/demo/" + PublishFixtures.WINDOWS + " 400";
    assertTrue(
        s.awaitRequest(brokenPut, Duration.ofSeconds(10)),
        "the server saw the upload broken off: " + s.requests());
    try (Stream<Path> files = Files.list(s.root().resolve("raw/demo"))) {
      assertEquals(
          List.of(PublishFixtures.AMD64),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "only the first file is there, no part of the second");
    }
    PublishedRelease r = PublishFixtures.release(release, 8);
    FileJournal j = new FileJournal(record, r.manifestSha256());
    assertEquals(1, j.previous().orElseThrow().items().size(), "the record lists the first file");

    publish(s, r, j);

    List<String> puts = s.succeeded("PUT");
    assertEquals(5, puts.size(), "every file uploaded exactly once: " + s.requests());
    assertEquals(5, new java.util.HashSet<>(puts).size(), puts.toString());
    assertServed(s, r);
  }

  @Test
  void credentialsStayWithTheirHostWhenARedirectLeadsElsewhere() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    elsewhere.createContext(
        "/",
        x -> {
          seen.add(x.getRequestMethod() + " " + x.getRequestHeaders().getFirst("Authorization"));
          x.sendResponseHeaders(404, -1);
          x.close();
        });
    HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> atOrigin = new CopyOnWriteArrayList<>();
    origin.createContext(
        "/",
        x -> {
          atOrigin.add(
              x.getRequestMethod()
                  + " "
                  + (x.getRequestHeaders().getFirst("Authorization") != null));
          if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders()
                .add(
                    "Location",
                    "http://127.0.0.1:" + elsewhere.getAddress().getPort() + x.getRequestURI());
            x.sendResponseHeaders(302, -1);
          } else {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(201, -1);
          }
          x.close();
        });
    elsewhere.start();
    origin.start();
    try {
      PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 7);
      new HttpDestination(
              "http://127.0.0.1:" + origin.getAddress().getPort() + "/files", CREDENTIALS)
          .publish(r, journal(r), new RecordingReleaseListener(log));
      assertEquals(5, seen.size(), seen.toString());
      assertTrue(seen.stream().allMatch(l -> l.equals("HEAD null")), "sent elsewhere: " + seen);
      assertTrue(atOrigin.stream().allMatch(l -> l.endsWith(" true")), atOrigin.toString());
    } finally {
      origin.stop(0);
      elsewhere.stop(0);
    }
  }

  @Test
  void checksumHeadersOfTheCommonServersAreRead() {
    String hex = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
    String b64 =
        java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hex));
    assertEquals(Optional.of(hex), HttpDestination.sha256Header(headers("X-Checksum-Sha256", hex)));
    assertEquals(
        Optional.of(hex),
        HttpDestination.sha256Header(
            headers("Repr-Digest", "sha-512=:AAAA:, sha-256=:" + b64 + ":")));
    assertEquals(
        Optional.of(hex), HttpDestination.sha256Header(headers("Digest", "SHA-256=" + b64)));
    assertEquals(Optional.empty(), HttpDestination.sha256Header(headers("Digest", "md5=abcd")));
    String sha1 = "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33";
    assertEquals(
        Optional.of(sha1), HttpDestination.sha1Header(headers("ETag", "\"{SHA1{" + sha1 + "}}\"")));
    assertEquals(Optional.of(sha1), HttpDestination.sha1Header(headers("X-Checksum-Sha1", sha1)));
    assertEquals(
        Optional.empty(), HttpDestination.sha1Header(headers("ETag", "\"18ecdeb81252a8163\"")));
  }

  static HttpHeaders headers(String name, String value) {
    return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
  }

  @Test
  void aUrlWithNoRepositoryBehindItIsNamed() throws Exception {
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
      PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 10);
      String url = "http://127.0.0.1:" + none.getAddress().getPort() + "/repository/typo/";
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () ->
                  new HttpDestination(url, CREDENTIALS)
                      .publish(r, journal(r), new RecordingReleaseListener(log)));
      assertEquals("publish.http.url", e.parameter());
      assertTrue(
          e.getMessage()
              .contains("answered 404: the server has no repository or directory at " + url),
          e.getMessage());
    } finally {
      none.stop(0);
    }
  }

  @Test
  void aServerThatFallsSilentFailsTheRunInBoundedTime() throws Exception {
    PublishedRelease r = PublishFixtures.release(tmp.resolve("release"), 12);
    CountDownLatch stop = new CountDownLatch(1);
    HttpServer silent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    silent.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    silent.createContext(
        "/head-silent/",
        x -> {
          await(stop);
          x.close();
        });
    silent.createContext(
        "/body-silent/",
        x -> {
          long size = r.files().get(0).size();
          if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().add("Content-Length", Long.toString(size));
            x.sendResponseHeaders(200, -1);
          } else {
            x.sendResponseHeaders(200, size);
            x.getResponseBody().write(new byte[(int) size / 2]);
            x.getResponseBody().flush();
            await(stop);
          }
          x.close();
        });
    silent.start();
    String at = "http://127.0.0.1:" + silent.getAddress().getPort();
    try {
      for (String dir : List.of("/head-silent/", "/body-silent/")) {
        long started = System.nanoTime();
        RebuildException e =
            assertThrows(
                RebuildException.class,
                () ->
                    new HttpDestination(at + dir, CREDENTIALS, false, Duration.ofSeconds(2))
                        .publish(r, journal(r), new RecordingReleaseListener(log)));
        long took = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertTrue(took < 20, dir + " took " + took + " s");
        assertEquals(RebuildException.Kind.TOOL, e.kind());
        assertTrue(e.getMessage().endsWith("; nothing was uploaded"), e.getMessage());
        assertTrue(
            e.getMessage()
                .contains(
                    dir.equals("/head-silent/")
                        ? "no answer within 2 s"
                        : "nothing arrived for 2 s"),
            e.getMessage());
      }
    } finally {
      stop.countDown();
      silent.stop(0);
    }
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void badUrlsAreRefusedNamingTheParameter() {
    for (String url :
        List.of(
            "ftp://repo.example.com/raw/",
            "https://user:pw@repo.example.com/raw/",
            "https://repo.example.com/raw/?x=1",
            "not a url",
            "")) {
      RebuildException e =
          assertThrows(RebuildException.class, () -> new HttpDestination(url, null), url);
      assertEquals("publish.http.url", e.parameter(), url);
      assertFalse(e.getMessage().contains("pw@"), e.getMessage());
    }
  }
}
