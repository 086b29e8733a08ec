package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.GoVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Go version that does not exist is refused before any download, naming the real releases near
 * it; when no release list can be read, the downloads are tried and the failure says why the
 * version could not be checked. Everything is served from 127.0.0.1.
 */
class UnknownVersionTest {

  static final String LIST_PATH = Fixtures.LIST_PATH;
  static final String PROXY_LIST = "/proxy/golang.org/toolchain/@v/list";

  @TempDir Path tmp;
  TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ToolchainSettings.Builder settings() throws IOException {
    return Fixtures.isolatedSettings(tmp, server);
  }

  ToolchainStore store(ToolchainSettings s) throws IOException {
    Path noSystem = Files.createDirectories(tmp.resolve("no-system-toolchains"));
    return new ToolchainStore(
        s,
        new InstalledToolchains(s, new CommonsExecProcessRunner(), noSystem),
        ToolchainListener.NONE,
        Duration.ofSeconds(30));
  }

  /** Three lines with two patches each, and a release candidate of the next line. */
  void serveReleaseList() {
    List<String> entries = new ArrayList<>();
    for (String v :
        List.of(
            "go1.25.13",
            "go1.25.14",
            "go1.26.10",
            "go1.26.11",
            "go1.27.3",
            "go1.27.4",
            "go1.28rc1")) {
      entries.addAll(List.of(v, "0".repeat(64), String.valueOf(!v.contains("rc"))));
    }
    server.serve(
        LIST_PATH,
        Fixtures.releaseList(entries.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8));
  }

  void serveProxyList(String... versions) {
    StringBuilder b = new StringBuilder();
    for (String v : versions) {
      for (String platform : List.of("linux-amd64", "darwin-arm64", "windows-386")) {
        b.append("v0.0.1-").append(v).append('.').append(platform).append('\n');
      }
    }
    server.serve(PROXY_LIST, b.toString().getBytes(StandardCharsets.UTF_8));
  }

  static String archive(String version) {
    return "/dl/" + version + ".linux-amd64.tar.gz";
  }

  static String moduleZip(String version) {
    return "/proxy/golang.org/toolchain/@v/v0.0.1-" + version + ".linux-amd64.zip";
  }

  /** Neither the official archive nor the module zip of {@code version} was asked for. */
  void assertNoDownload(String version) {
    assertEquals(0, server.hits(archive(version)), "requests for the archive");
    assertEquals(0, server.hits(moduleZip(version)), "requests for the module zip");
  }

  @Test
  void anUnknownVersionIsRefusedWithTheNearestRealOnesAndNothingIsDownloaded() throws Exception {
    serveReleaseList();
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(settings().build()).provide("1.99.1"));
    assertEquals(
        "Go 1.99.1 does not exist (not in "
            + server.uri(LIST_PATH)
            + "). The nearest releases are go1.27.4, go1.26.11, go1.25.14; the newest is"
            + " go1.27.4. Use -Dgo=<version>, -Dgo=1.27 (newest 1.27.x) or -Dgo=latest.",
        e.getMessage());
    assertNoDownload("go1.99.1");
    assertEquals(1, server.hits("/dl/"), "requests for the release list");
  }

  @Test
  void anUnknownPatchOfAnExistingLineNamesThatLineFirst() throws Exception {
    serveReleaseList();
    serveProxyList("go1.25.14", "go1.26.11", "go1.27.4");
    ToolchainSettings s = settings().goproxy(server.uri("/proxy/") + ",direct").build();
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(s).provide("go1.26.99"));
    assertEquals(
        "Go 1.26.99 does not exist (not in "
            + server.uri(LIST_PATH)
            + " nor "
            + server.uri(PROXY_LIST)
            + "). The nearest releases are go1.26.11, go1.25.14, go1.27.4; the newest is"
            + " go1.27.4. Use -Dgo=<version>, -Dgo=1.26 (newest 1.26.x) or -Dgo=latest.",
        e.getMessage());
    assertNoDownload("go1.26.99");
  }

  @Test
  void anUnknownPreReleaseNamesTheListedOnes() throws Exception {
    serveReleaseList();
    ToolchainException e =
        assertThrows(
            ToolchainException.class, () -> store(settings().build()).provide("go1.28rc9"));
    assertEquals(
        "Go 1.28rc9 does not exist (not in "
            + server.uri(LIST_PATH)
            + "); the 1.28 pre-release listed is go1.28rc1. The nearest releases are go1.27.4,"
            + " go1.26.11, go1.25.14; the newest is go1.27.4. Use -Dgo=<version>, -Dgo=1.27"
            + " (newest 1.27.x) or -Dgo=latest.",
        e.getMessage());
    assertNoDownload("go1.28rc9");
  }

  @Test
  void anUnknownLineIsRefusedWithTheNewestLines() throws Exception {
    serveReleaseList();
    ToolchainStore store = store(settings().build());
    ToolchainException e = assertThrows(ToolchainException.class, () -> store.provide("1.99"));
    String m = e.getMessage();
    assertTrue(
        m.startsWith(
            "Go 1.99 does not exist (not in "
                + server.uri(LIST_PATH)
                + "). The nearest releases are go1.27.4, go1.26.11, go1.25.14; the newest is"
                + " go1.27.4. Use -Dgo=<version>, -Dgo=1.27 (newest 1.27.x) or -Dgo=latest.\n"),
        m);
    assertTrue(m.contains("cannot resolve '1.99' to the newest Go 1.99.x release"), m);
    assertFalse(m.contains("-Dgo=1.99.0"), m);

    ToolchainException rcOnly = assertThrows(ToolchainException.class, () -> store.resolve("1.28"));
    assertTrue(
        rcOnly
            .getMessage()
            .startsWith(
                "Go 1.28 has no stable release yet: "
                    + server.uri(LIST_PATH)
                    + " lists only its pre-release go1.28rc1. The nearest releases are go1.27.4,"
                    + " go1.26.11, go1.25.14;"),
        rcOnly.getMessage());
    assertEquals(1, server.hits("/dl/"), "the release list is read once per store");
  }

  @Test
  void withoutTheReleaseListTheProxyListOnlyExplainsAFailedDownload() throws Exception {
    // A proxy or mirror lists what it has fetched so far, so its list alone proves nothing: the
    // download is tried, and its failure says what the list holds.
    serveProxyList("go1.24.7", "go1.25.14", "go1.26.11", "go1.27rc2");
    ToolchainSettings s = settings().goproxy(server.uri("/proxy/") + ",direct").build();
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(s).provide("1.25.99"));
    String m = e.getMessage();
    assertTrue(m.startsWith("cannot download Go toolchain go1.25.99 for linux/amd64:\n"), m);
    assertTrue(
        m.contains(
            "\nGo 1.25.99 does not exist (not in "
                + server.uri(PROXY_LIST)
                + "). The nearest releases are go1.25.14, go1.24.7, go1.26.11; the newest is"
                + " go1.26.11. Use -Dgo=<version>, -Dgo=1.25 (newest 1.25.x) or -Dgo=latest."),
        m);
    assertEquals(1, server.hits(moduleZip("go1.25.99")), "the download was tried");
  }

  @Test
  void aVersionOnlyTheModuleProxyListsIsDownloaded() throws Exception {
    // The release list lags behind: the proxy's list is asked too, and it knows go1.27.5.
    serveReleaseList();
    serveProxyList("go1.27.4", "go1.27.5");
    ToolchainSettings s = settings().goproxy(server.uri("/proxy/") + ",direct").build();
    ToolchainException e = assertThrows(ToolchainException.class, () -> store(s).provide("1.27.5"));
    String m = e.getMessage();
    assertTrue(m.startsWith("cannot download Go toolchain go1.27.5 for linux/amd64"), m);
    assertFalse(m.contains("exist"), m);
    assertEquals(1, server.hits(moduleZip("go1.27.5")));
  }

  @Test
  void aListLargerThanAnyReleaseListIsRefusedNotRead() throws Exception {
    server.serve(LIST_PATH, new byte[Http.MAX_TEXT + 1]);
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(settings().build()).resolve("1.22"));
    assertTrue(
        e.getMessage().contains(server.uri(LIST_PATH) + " sent more than 32 MiB"), e.getMessage());
  }

  @Test
  void anUnreadableListFallsBackToTheDownloadsAndSaysSo() throws Exception {
    ToolchainSettings s = settings().goproxy(server.uri("/proxy/") + ",direct").build();
    ToolchainException e = assertThrows(ToolchainException.class, () -> store(s).provide("1.99.1"));
    String m = e.getMessage();
    assertTrue(m.startsWith("cannot download Go toolchain go1.99.1 for linux/amd64:\n"), m);
    assertTrue(
        m.contains(
            "\nGo 1.99.1 may not exist: the release list could not be read to check (the release"
                + " list "
                + server.uri(LIST_PATH)
                + " cannot be read: "
                + server.uri(LIST_PATH)
                + " answered HTTP 404; "
                + server.uri(PROXY_LIST)
                + " answered HTTP 404)."),
        m);
    assertTrue(m.contains(server.uri(moduleZip("go1.99.1")) + " answered HTTP 404"), m);
    assertEquals(1, server.hits(moduleZip("go1.99.1")), "the download was tried");
    assertEquals(1, server.hits(PROXY_LIST), "the proxy's list is read once");
  }

  @Test
  void theModuleProxyListAlsoNamesReleasesBeforeGo121() throws Exception {
    serveProxyList("go1.20.14", "go1.21.13", "go1.22.12");
    ToolchainSettings s = settings().goproxy(server.uri("/proxy/") + ",direct").build();
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(s).provide("1.20.13"));
    String m = e.getMessage();
    assertTrue(m.contains("Go 1.20.13 does not exist (not in " + server.uri(PROXY_LIST)), m);
    assertTrue(m.contains("The nearest releases are go1.20.14"), m);
    assertEquals(1, server.hits(moduleZip("go1.20.13")), "the download was tried");
  }

  @Test
  void offlineALocalReleaseListStillTells() throws Exception {
    Path list = tmp.resolve("releases.json");
    Files.write(list, Fixtures.releaseList("go1.22.11", "0".repeat(64), "true").getBytes());
    ToolchainSettings offline = settings().offline(true).releaseList(list.toString()).build();
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(offline).provide("1.22.99"));
    assertTrue(
        e.getMessage().startsWith("Go 1.22.99 does not exist (not in " + list + ")."),
        e.getMessage());
    assertEquals(GoVersion.parse("go1.22.11"), store(offline).resolve("1.22"));
  }
}
