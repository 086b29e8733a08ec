package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
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

class ToolchainStoreTest {

  static final String LIST_PATH = Fixtures.LIST_PATH;
  static final String ARCHIVE_PATH = "/dl/" + Fixtures.ARCHIVE;

  private final ProcessRunner runner = new CommonsExecProcessRunner();

  @TempDir Path tmp;
  TestServer server;
  String sha;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer();
    sha = Digest.of(Fixtures.archive()).hex();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ToolchainSettings.Builder settings() throws IOException {
    return Fixtures.isolatedSettings(tmp, server);
  }

  ToolchainStore store(ToolchainSettings s, ToolchainListener listener) throws IOException {
    Path noSystem = Files.createDirectories(tmp.resolve("no-system-toolchains"));
    return new ToolchainStore(
        s, new InstalledToolchains(s, runner, noSystem), listener, Duration.ofSeconds(60));
  }

  void serveList(String json) {
    server.serve(LIST_PATH, json.getBytes(StandardCharsets.UTF_8));
  }

  String goVersion(Toolchain t) throws IOException {
    ProcessRunner.ExecResult r =
        runner.run(
            List.of(t.goCommand().toString(), "version"),
            tmp,
            Map.of("HOME", tmp.toString(), "GOTOOLCHAIN", "local"),
            Duration.ofSeconds(60));
    assertTrue(r.ok(), r.tail(5));
    return r.stdout().strip();
  }

  /** The cache holds no half-finished work: only complete toolchains and lock files. */
  void assertNoLeftovers(Path cache) throws IOException {
    if (!Files.exists(cache)) {
      return;
    }
    try (Stream<Path> s = Files.list(cache)) {
      List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(
          names.stream().allMatch(n -> n.startsWith(".lock-")), "left in the cache: " + names);
    }
  }

  @Test
  void downloadsTheOfficialArchiveVerifiesItAndCachesIt() throws Exception {
    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    server.serve(ARCHIVE_PATH, Fixtures.archive());
    RecordingListener events = new RecordingListener();
    ToolchainStore store = store(settings().build(), events);

    Toolchain t = store.provide("1.21.13");

    Path goroot = tmp.resolve("cache/go1.21.13.linux-amd64");
    assertEquals(goroot, t.goroot());
    assertEquals(GoVersion.parse(Fixtures.VERSION), t.version());
    assertEquals(server.uri(ARCHIVE_PATH).toString(), t.sourceUrl());
    assertEquals(sha, t.archiveSha256());
    assertTrue(t.origin().startsWith("downloaded: " + server.uri(ARCHIVE_PATH)), t.origin());
    assertTrue(goVersion(t).startsWith("go version go1.21.13 linux/amd64"), goVersion(t));
    assertTrue(Files.isExecutable(t.goCommand()));
    assertTrue(
        events.any("downloading " + server.uri(ARCHIVE_PATH) + " 0/"), events.events::toString);
    assertTrue(
        events.any(
            "verified " + server.uri(ARCHIVE_PATH) + " sha256 " + sha + " from the release list"),
        events.events::toString);
    assertTrue(events.any("installed go1.21.13 " + goroot), events.events::toString);

    // The manifest's checksum is the archive's, as sha256sum computes it.
    Path copy = tmp.resolve(Fixtures.ARCHIVE);
    Files.write(copy, Fixtures.archive());
    ProcessRunner.ExecResult check =
        runner.run(List.of("sha256sum", copy.toString()), tmp, Map.of(), Duration.ofSeconds(30));
    assertEquals(t.archiveSha256(), check.stdout().split(" ")[0]);

    // A second request, even from a fresh store, is served from the cache.
    Toolchain again = store(settings().build(), ToolchainListener.NONE).provide("go1.21.13");
    assertEquals(t, again);
    assertEquals(1, server.hits(ARCHIVE_PATH.substring(0, ARCHIVE_PATH.length())));
    assertNoLeftoversExcept(tmp.resolve("cache"), "go1.21.13.linux-amd64");
  }

  void assertNoLeftoversExcept(Path cache, String keep) throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      List<String> names =
          s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(keep)).toList();
      assertTrue(
          names.stream().allMatch(n -> n.startsWith(".lock-")), "left in the cache: " + names);
    }
  }

  @Test
  void checksumMismatchIsRefusedAndLeavesNothingThenARetrySucceeds() throws Exception {
    String wrong = "ab".repeat(32);
    serveList(Fixtures.releaseList(Fixtures.VERSION, wrong, "true"));
    server.serve(ARCHIVE_PATH, Fixtures.archive());

    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("checksum mismatch for " + server.uri(ARCHIVE_PATH)),
        e.getMessage());
    assertTrue(e.getMessage().contains("expected sha256 " + wrong), e.getMessage());
    assertTrue(e.getMessage().contains("got " + sha), e.getMessage());
    assertNoLeftovers(tmp.resolve("cache"));

    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    Toolchain t = store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(goVersion(t).contains("go1.21.13"));
  }

  @Test
  void corruptArchiveIsRefused() throws Exception {
    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    byte[] corrupt = Fixtures.archive().clone();
    corrupt[corrupt.length / 2] ^= 0x55;
    server.serve(ARCHIVE_PATH, corrupt);

    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(e.getMessage().contains("expected sha256 " + sha), e.getMessage());
    assertTrue(e.getMessage().contains("got " + Digest.of(corrupt).hex()), e.getMessage());
    assertNoLeftovers(tmp.resolve("cache"));
  }

  @Test
  void interruptedDownloadLeavesNothingThenARetrySucceeds() throws Exception {
    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    server.truncate(ARCHIVE_PATH, Fixtures.archive());

    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("download of " + server.uri(ARCHIVE_PATH) + " broke off"),
        e.getMessage());
    assertTrue(e.getMessage().contains("run again to retry"), e.getMessage());
    assertFalse(e.getMessage().contains("toolchain cache"), e.getMessage());
    assertNoLeftovers(tmp.resolve("cache"));

    server.serve(ARCHIVE_PATH, Fixtures.archive());
    Toolchain t = store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(goVersion(t).contains("go1.21.13"));
  }

  @Test
  void aStalledDownloadIsAbandonedThenARetrySucceeds() throws Exception {
    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    server.stall(ARCHIVE_PATH, Fixtures.archive(), 8000);
    Path noSystem = Files.createDirectories(tmp.resolve("no-system-toolchains"));
    ToolchainSettings s = settings().build();
    ToolchainStore impatient =
        new ToolchainStore(
            s,
            new InstalledToolchains(s, runner, noSystem),
            ToolchainListener.NONE,
            Duration.ofSeconds(1));

    ToolchainException e =
        assertThrows(ToolchainException.class, () -> impatient.provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("download of " + server.uri(ARCHIVE_PATH) + " broke off after"),
        e.getMessage());
    assertTrue(e.getMessage().contains("nothing arrived for 1 s"), e.getMessage());
    assertNoLeftovers(tmp.resolve("cache"));

    server.serve(ARCHIVE_PATH, Fixtures.archive());
    Toolchain t = store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    assertTrue(goVersion(t).contains("go1.21.13"));
  }

  @Test
  void anInstalledToolchainIsUsedWithoutDownloading() throws Exception {
    Path system = tmp.resolve("system");
    Path debian = Fixtures.debianGoroot(system, GoFixtures.GO_1_22);
    RecordingListener events = new RecordingListener();
    ToolchainSettings s = settings().build();
    Toolchain t =
        new ToolchainStore(
                s, new InstalledToolchains(s, runner, system), events, Duration.ofSeconds(60))
            .provide("go" + GoFixtures.GO_1_22);
    assertEquals("installed: " + debian.toRealPath() + " (Debian)", t.origin());
    assertEquals(List.of(), events.events);
    assertEquals(0, server.hits("/dl/"));
  }

  @Test
  void offlineResolvesALineFromALocalReleaseList() throws Exception {
    Path list = tmp.resolve("releases.json");
    Files.writeString(
        list, Fixtures.releaseList("go1.21.12", sha, "true", "go1.21.13", sha, "true"));
    ToolchainSettings offline = settings().offline(true).releaseList(list.toString()).build();
    assertEquals(
        GoVersion.parse("go1.21.13"), store(offline, ToolchainListener.NONE).resolve("1.21"));
  }

  @Test
  void anUnusableCacheDirectoryIsNamed() throws Exception {
    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    server.serve(ARCHIVE_PATH, Fixtures.archive());
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () ->
                store(settings().cacheDir(file.resolve("cache")).build(), ToolchainListener.NONE)
                    .provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("cannot use the toolchain cache " + file.resolve("cache")),
        e.getMessage());
    assertTrue(e.getMessage().contains("set rebuild.toolchainCache"), e.getMessage());
  }

  @Test
  void offlineUsesOnlyCachedToolchainsAndSaysHowToGetAMissingOne() throws Exception {
    serveList(Fixtures.releaseList(Fixtures.VERSION, sha, "true"));
    server.serve(ARCHIVE_PATH, Fixtures.archive());
    ToolchainSettings offline = settings().offline(true).build();

    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(offline, ToolchainListener.NONE).provide("1.21.13"));
    String m = e.getMessage();
    assertTrue(
        m.contains(
            "go1.21.13 for linux/amd64 is neither installed nor in the toolchain cache "
                + tmp.resolve("cache")),
        m);
    assertTrue(m.contains("run once online"), m);
    assertTrue(m.contains("apt-get install golang-1.21-go"), m);
    assertTrue(m.contains("rebuild.goroot"), m);
    assertEquals(0, server.hits("/dl/"));
    assertEquals(0, server.hits(ARCHIVE_PATH));

    store(settings().build(), ToolchainListener.NONE).provide("1.21.13");
    Toolchain cached = store(offline, ToolchainListener.NONE).provide("1.21.13");
    assertEquals(tmp.resolve("cache/go1.21.13.linux-amd64"), cached.goroot());
    assertEquals(1, server.hits(ARCHIVE_PATH));

    ToolchainException line =
        assertThrows(
            ToolchainException.class, () -> store(offline, ToolchainListener.NONE).provide("1.21"));
    assertTrue(line.getMessage().contains("rebuild is offline"), line.getMessage());
  }

  @Test
  void resolvesALineAndLatestFromTheReleaseList() throws Exception {
    serveList(
        Fixtures.releaseList(
            "go1.21.12",
            sha,
            "true",
            "go1.21.13",
            sha,
            "true",
            "go1.22.12",
            sha,
            "true",
            "go1.23rc1",
            sha,
            "false"));
    RecordingListener events = new RecordingListener();
    ToolchainStore store = store(settings().build(), events);
    assertEquals(GoVersion.parse("go1.21.13"), store.resolve("1.21"));
    assertEquals(GoVersion.parse("go1.22.12"), store.resolve("latest"));
    assertEquals(GoVersion.parse("go1.23rc1"), store.resolve("go1.23rc1"));
    assertTrue(
        events.any("resolved 1.21 -> go1.21.13 from " + server.uri(LIST_PATH)),
        events.events::toString);
    ToolchainException none = assertThrows(ToolchainException.class, () -> store.resolve("1.24"));
    assertTrue(
        none.getMessage().contains("cannot resolve '1.24' to the newest Go 1.24.x release"),
        none.getMessage());
    assertTrue(
        none.getMessage()
            .contains(
                "the release list " + server.uri(LIST_PATH) + " has no stable Go 1.24.x release"),
        none.getMessage());
  }

  @Test
  void resolvesFromTheModuleProxyListWhenTheReleaseListIsUnreachable() throws Exception {
    server.serve(
        "/proxy/golang.org/toolchain/@v/list",
        String.join(
                "\n",
                "v0.0.1-go1.22.11.linux-amd64",
                "v0.0.1-go1.22.12.linux-amd64",
                "v0.0.1-go1.22.13.linux-arm64",
                "v0.0.1-go1.23rc1.linux-amd64",
                "v0.0.1-go1.21.13.linux-amd64",
                "")
            .getBytes(StandardCharsets.UTF_8));
    ToolchainStore store =
        store(
            settings()
                .releaseList(server.uri("/missing.json").toString())
                .goproxy(server.uri("/proxy/") + ",direct")
                .build(),
            ToolchainListener.NONE);
    assertEquals(GoVersion.parse("go1.22.12"), store.resolve("1.22"));
    assertEquals(GoVersion.parse("go1.22.12"), store.resolve("latest"));
  }

  @Test
  void aPinnedSha256VerifiesTheArchiveWithoutAReleaseList() throws Exception {
    server.serve(ARCHIVE_PATH, Fixtures.archive());
    ToolchainSettings pinned =
        settings()
            .releaseList(tmp.resolve("no-such-list.json").toString())
            .pinnedSha256(sha)
            .build();
    RecordingListener events = new RecordingListener();
    Toolchain t = store(pinned, events).provide("1.21.13");
    assertEquals(sha, t.archiveSha256());
    assertTrue(
        events.any("verified " + server.uri(ARCHIVE_PATH) + " sha256 pinned by goSha256"),
        events.events::toString);

    ToolchainCache.deleteTree(tmp.resolve("cache"));
    String other = "cd".repeat(32);
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () ->
                store(
                        settings()
                            .releaseList(tmp.resolve("no-such-list.json").toString())
                            .pinnedSha256(other)
                            .build(),
                        ToolchainListener.NONE)
                    .provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("expected sha256 " + other + " (goSha256), got " + sha),
        e.getMessage());
    assertNoLeftovers(tmp.resolve("cache"));
  }

  @Test
  void anArchiveThatClimbsOutOfItsDirectoryIsRefused() throws Exception {
    byte[] evil =
        Fixtures.tarGz(
            tar -> {
              Fixtures.bytes(tar, "go/VERSION", "go1.21.13\n".getBytes(), 0644);
              Fixtures.bytes(tar, "go/../../escaped", "x".getBytes(), 0644);
            });
    serveList(Fixtures.releaseList(Fixtures.VERSION, Digest.of(evil).hex(), "true"));
    server.serve(ARCHIVE_PATH, evil);
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("entry 'go/../../escaped' climbs out with '..'"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("escaped")));
    assertFalse(Files.exists(tmp.resolve("cache/escaped")));
    assertNoLeftovers(tmp.resolve("cache"));
  }

  @Test
  void aReleaseThatIsNotWhatItClaimsIsRefused() throws Exception {
    serveList(Fixtures.releaseList("go1.21.12", sha, "true"));
    server.serve("/dl/go1.21.12.linux-amd64.tar.gz", Fixtures.archive());
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> store(settings().build(), ToolchainListener.NONE).provide("1.21.12"));
    assertTrue(e.getMessage().contains("unpacked to go1.21.13, not go1.21.12"), e.getMessage());
    assertNoLeftovers(tmp.resolve("cache"));
  }

  @Test
  void unreachableSourcesAreAllNamed() throws Exception {
    ToolchainSettings s = settings().goproxy(server.uri("/proxy/") + ",direct").build();
    ToolchainException e =
        assertThrows(
            ToolchainException.class, () -> store(s, ToolchainListener.NONE).provide("1.21.13"));
    String m = e.getMessage();
    assertTrue(m.contains("cannot download Go toolchain go1.21.13 for linux/amd64"), m);
    assertTrue(m.contains("the release list " + server.uri(LIST_PATH) + " cannot be read"), m);
    assertTrue(
        m.contains(
            server.uri("/proxy/golang.org/toolchain/@v/" + Fixtures.MOD_VERSION + ".zip")
                + " answered HTTP 404"),
        m);
    assertTrue(m.contains("rebuild.goroot"), m);
    assertNoLeftovers(tmp.resolve("cache"));
  }
}
