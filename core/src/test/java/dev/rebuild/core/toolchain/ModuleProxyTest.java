package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.testing.GoFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module-proxy path against a local proxy and a local checksum database. */
class ModuleProxyTest {

  static final String MODULE = "golang.org/toolchain";
  static final String ZIP = "/proxy/golang.org/toolchain/@v/" + Fixtures.MOD_VERSION + ".zip";
  static final String LOOKUP =
      "/proxy/sumdb/test.sum/lookup/golang.org/toolchain@" + Fixtures.MOD_VERSION;

  private final ProcessRunner runner = new CommonsExecProcessRunner();

  @TempDir Path tmp;
  TestServer server;
  FakeSumDb sumdb;

  /** The zip's h1 as the real go command computes it, not as the code under test does. */
  static String goH1;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer();
    sumdb = new FakeSumDb("test.sum");
    server.serve(ZIP, Fixtures.moduleZip());
    server.serve(
        "/proxy/golang.org/toolchain/@v/" + Fixtures.MOD_VERSION + ".info",
        ("{\"Version\":\"" + Fixtures.MOD_VERSION + "\",\"Time\":\"2024-09-06T00:00:00Z\"}")
            .getBytes(StandardCharsets.UTF_8));
    server.serve(
        "/proxy/golang.org/toolchain/@v/" + Fixtures.MOD_VERSION + ".mod",
        "module golang.org/toolchain\n".getBytes(StandardCharsets.UTF_8));
    server.serve("/proxy/sumdb/test.sum/supported", new byte[0]);
    if (goH1 == null) {
      goH1 = hashWithRealGo();
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String hashWithRealGo() throws IOException {
    Path go = GoFixtures.machineGo().resolve("bin/go");
    Path work = Files.createDirectories(tmp.resolve("gowork"));
    // go insists on the checksum database for golang.org/toolchain except from a file:// proxy.
    Path proxy = tmp.resolve("fileproxy");
    Path at = Files.createDirectories(proxy.resolve("golang.org/toolchain/@v"));
    Files.write(at.resolve(Fixtures.MOD_VERSION + ".zip"), Fixtures.moduleZip());
    Files.writeString(at.resolve(Fixtures.MOD_VERSION + ".mod"), "module golang.org/toolchain\n");
    Files.writeString(
        at.resolve(Fixtures.MOD_VERSION + ".info"),
        "{\"Version\":\"" + Fixtures.MOD_VERSION + "\",\"Time\":\"2024-09-06T00:00:00Z\"}");
    Files.writeString(at.resolve("list"), Fixtures.MOD_VERSION + "\n");
    ProcessRunner.ExecResult r =
        runner.run(
            List.of(go.toString(), "mod", "download", "-json", MODULE + "@" + Fixtures.MOD_VERSION),
            work,
            Map.of(
                "HOME", tmp.toString(),
                "PATH", "/usr/bin:/bin",
                "GOPROXY", proxy.toUri().toString(),
                "GOSUMDB", "off",
                "GOFLAGS", "-modcacherw",
                "GOMODCACHE", tmp.resolve("gomodcache").toString(),
                "GOTOOLCHAIN", "local"),
            Duration.ofMinutes(2));
    assertTrue(r.ok(), "go mod download: " + r.tail(10));
    return new ObjectMapper().readTree(r.stdout()).path("Sum").asText();
  }

  ToolchainSettings.Builder settings() throws IOException {
    Files.createDirectories(tmp.resolve("home"));
    return ToolchainSettings.builder()
        .home(tmp.resolve("home"))
        .environment(Map.of("PATH", tmp.resolve("nobin").toString()))
        .cacheDir(tmp.resolve("cache"))
        .releaseList(server.uri("/no-release-list").toString())
        .downloadBase(server.uri("/dl/"))
        .goproxy(server.uri("/proxy/") + ",direct")
        .sumdb(sumdb.verifierKey() + " " + server.uri("/direct-sumdb/"));
  }

  ToolchainStore store(ToolchainSettings s, ToolchainListener l) throws IOException {
    Path noSystem = Files.createDirectories(tmp.resolve("no-system-toolchains"));
    return new ToolchainStore(
        s, new InstalledToolchains(s, runner, noSystem), l, Duration.ofSeconds(60));
  }

  /** A tree of 600 records (two levels of tiles, partial ones at the edge), ours at 300. */
  void serveLookup(String h1) throws Exception {
    sumdb.publish(server, "/proxy/sumdb/test.sum/", MODULE, Fixtures.MOD_VERSION, h1, h1, 300, 600);
  }

  void assertNoLeftovers() throws IOException {
    Path cache = tmp.resolve("cache");
    if (!Files.exists(cache)) {
      return;
    }
    try (Stream<Path> s = Files.list(cache)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      // The newest signed tree seen ("sumdb") is kept on purpose.
      assertTrue(
          names.stream().allMatch(n -> n.startsWith(".lock-") || n.equals("sumdb")),
          "left: " + names);
    }
  }

  @Test
  void downloadsTheModuleZipAndChecksItAgainstTheChecksumDatabase() throws Exception {
    assertTrue(goH1.startsWith("h1:"), goH1);
    assertEquals(goH1, ModuleHash.h1(write(Fixtures.moduleZip())));
    serveLookup(goH1);
    RecordingListener events = new RecordingListener();

    Toolchain t = store(settings().build(), events).provide("go1.21.13");

    assertEquals(server.uri(ZIP).toString(), t.sourceUrl());
    assertEquals(Digest.of(Fixtures.moduleZip()).hex(), t.archiveSha256());
    assertEquals(tmp.resolve("cache/go1.21.13.linux-amd64"), t.goroot());
    assertTrue(
        events.any(
            "verified "
                + server.uri(ZIP)
                + " "
                + goH1
                + " from test.sum (record 300 proven in the signed tree of size 600)"),
        events.events::toString);
    // The zip carries no modes; the tools are made executable as go does it.
    assertTrue(Files.isExecutable(t.goCommand()));
    assertTrue(Files.isRegularFile(t.goroot().resolve("src/go.mod")));
    ProcessRunner.ExecResult v =
        runner.run(
            List.of(t.goCommand().toString(), "version"),
            tmp,
            Map.of("HOME", tmp.toString(), "GOTOOLCHAIN", "local"),
            Duration.ofSeconds(60));
    assertTrue(v.stdout().startsWith("go version go1.21.13 linux/amd64"), v.stdout() + v.stderr());
    assertEquals(1, server.hits(LOOKUP));
  }

  Path write(byte[] data) throws IOException {
    Path p = Files.createTempFile(tmp, "zip", ".zip");
    Files.write(p, data);
    return p;
  }

  @Test
  void aZipWhoseHashTheDatabaseDoesNotKnowIsRefused() throws Exception {
    String other = "h1:" + "A".repeat(43) + "=";
    serveLookup(other);
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(e.getMessage().contains("checksum mismatch for " + server.uri(ZIP)), e.getMessage());
    assertTrue(e.getMessage().contains("expected h1 " + other + " (test.sum)"), e.getMessage());
    assertTrue(e.getMessage().contains("got " + goH1), e.getMessage());
    assertNoLeftovers();

    // A database that answers right: its tree is another history than the one seen above, so
    // the retry uses a cache without that memory.
    serveLookup(goH1);
    Toolchain t =
        store(settings().cacheDir(tmp.resolve("cache2")).build(), ToolchainListener.NONE)
            .provide("1.21.13");
    assertTrue(Files.isExecutable(t.goCommand()));
  }

  @Test
  void everyTreeMustExtendTheNewestTreeSeenBefore() throws Exception {
    Path latest = tmp.resolve("cache/sumdb/test.sum/latest");
    String p = "/proxy/sumdb/test.sum/";
    serveLookup(goH1);
    Toolchain first = store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(Files.readString(latest).startsWith("go.sum database tree\n600\n"));

    // The same history, grown: accepted, and remembered.
    ToolchainCache.deleteTree(first.goroot());
    sumdb.publish(server, p, MODULE, Fixtures.MOD_VERSION, goH1, goH1, 300, 700);
    store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(Files.readString(latest).startsWith("go.sum database tree\n700\n"));

    // An older tree of the same history: accepted; the newer one stays remembered.
    ToolchainCache.deleteTree(first.goroot());
    sumdb.publish(server, p, MODULE, Fixtures.MOD_VERSION, goH1, goH1, 300, 500);
    store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(Files.readString(latest).startsWith("go.sum database tree\n700\n"));

    // A validly signed tree whose earlier records differ: a forked history, refused.
    ToolchainCache.deleteTree(first.goroot());
    sumdb.publish(server, p, MODULE, Fixtures.MOD_VERSION, goH1, goH1, 300, 800, "fork");
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("the signed tree of size 800 and the one of size 700 seen before"),
        e.getMessage());
    assertTrue(e.getMessage().contains("are not one history"), e.getMessage());
    assertNoLeftovers();
  }

  @Test
  void anAnswerSignedByAnotherKeyIsRefused() throws Exception {
    FakeSumDb impostor = new FakeSumDb("test.sum");
    impostor.publish(
        server, "/proxy/sumdb/test.sum/", MODULE, Fixtures.MOD_VERSION, goH1, goH1, 300, 600);
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(e.getMessage().contains("is not signed by " + sumdb.verifierKey()), e.getMessage());
    assertNoLeftovers();
  }

  @Test
  void anAnswerForARecordNotInTheSignedTreeIsRefused() throws Exception {
    // The database signs its real tree, which holds another hash, but answers with the zip's.
    String other = "h1:" + "C".repeat(43) + "=";
    sumdb.publish(
        server, "/proxy/sumdb/test.sum/", MODULE, Fixtures.MOD_VERSION, other, goH1, 300, 600);
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("record 300 is not in the signed tree of size 600"),
        e.getMessage());
    assertNoLeftovers();
  }

  @Test
  void withoutTheChecksumDatabaseOnlyAPinnedHashIsAccepted() throws Exception {
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () ->
                store(settings().sumdb("off").build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(e.getMessage().contains("GOSUMDB=off"), e.getMessage());
    assertTrue(e.getMessage().contains("-Drebuild.goSha256"), e.getMessage());
    assertNoLeftovers();

    // The database unreachable (no lookup served, neither through the proxy nor directly).
    ToolchainException down =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(down.getMessage().contains("cannot verify " + server.uri(ZIP)), down.getMessage());
    assertTrue(down.getMessage().contains("answered HTTP 404"), down.getMessage());
    assertNoLeftovers();

    String zipSha = Digest.of(Fixtures.moduleZip()).hex();
    RecordingListener events = new RecordingListener();
    Toolchain t = store(settings().pinnedSha256(zipSha).build(), events).provide("1.21.13");
    assertEquals(zipSha, t.archiveSha256());
    assertTrue(
        events.any("verified " + server.uri(ZIP) + " sha256 pinned by goSha256"),
        events.events::toString);
  }

  @Test
  void aFileProxyMirrorServesTheZip() throws Exception {
    Path mirror = Files.createDirectories(tmp.resolve("mirror/golang.org/toolchain/@v"));
    Files.write(mirror.resolve(Fixtures.MOD_VERSION + ".zip"), Fixtures.moduleZip());
    sumdb.publish(server, "/direct-sumdb/", MODULE, Fixtures.MOD_VERSION, goH1, goH1, 3, 4);
    Toolchain t =
        store(
                settings().goproxy(tmp.resolve("mirror").toUri().toString()).build(),
                ToolchainListener.NONE)
            .provide("1.21.13");
    assertEquals(
        tmp.resolve("mirror")
            .toUri()
            .resolve("golang.org/toolchain/@v/" + Fixtures.MOD_VERSION + ".zip")
            .toString(),
        t.sourceUrl());
    assertTrue(Files.isExecutable(t.goCommand()));
  }

  @Test
  void theDatabaseIsAskedDirectlyWhenTheProxyDoesNotServeIt() throws Exception {
    sumdb.publish(server, "/direct-sumdb/", MODULE, Fixtures.MOD_VERSION, goH1, goH1, 7, 8);
    server.unserve("/proxy/sumdb/test.sum/supported");
    Toolchain t = store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(Files.isExecutable(t.goCommand()));
    assertEquals(
        1, server.hits("/direct-sumdb/lookup/golang.org/toolchain@" + Fixtures.MOD_VERSION));
  }
}
