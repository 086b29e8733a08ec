package dev.rebuild.core.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the original release's artifact of a target, in a directory or under a URL prefix. */
class OriginalReleaseTest {

  static final Platform LINUX = Platform.parse("linux/amd64");
  static final ArchiveSpec NSQ =
      ArchiveSpec.parse(
          "nsq-{version}.{os}-{arch}.go{goVersion}", "tar.gz", Map.of(), "{name}/bin");

  static final ReleaseNames NAMES = new ReleaseNames("nsq", "v1.3.0", "1.22.12");

  static ReleaseManifest.Artifact artifact() {
    return new ReleaseManifest.Artifact(
        "nsq-1.3.0.linux-amd64.go1.22.12.tar.gz", "archive", "linux", "amd64", 1, "x", List.of());
  }

  @Test
  void aDirectoryIsSearchedWithTheOriginalGoVersionAsAWildcard(@TempDir Path dir) throws Exception {
    Path original = Files.createDirectories(dir.resolve("original"));
    Files.writeString(original.resolve("nsq-1.3.0.linux-amd64.go1.21.5.tar.gz"), "original");
    Files.writeString(original.resolve("nsq-1.3.0.linux-arm64.go1.21.5.tar.gz"), "other target");
    Files.writeString(original.resolve("nsq-1.2.1.linux-amd64.go1.20.4.tar.gz"), "other release");
    Path found =
        new OriginalRelease(original.toString(), null, HttpClient.newHttpClient())
            .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX);
    assertEquals("nsq-1.3.0.linux-amd64.go1.21.5.tar.gz", found.getFileName().toString());

    Files.writeString(original.resolve("nsq-1.3.0.linux-amd64.go1.21.6.tar.gz"), "a respin");
    RebuildException twice =
        assertThrows(
            RebuildException.class,
            () ->
                new OriginalRelease(original.toString(), null, HttpClient.newHttpClient())
                    .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX));
    assertEquals("originalGo", twice.parameter());
    assertEquals(
        "nsq-1.3.0.linux-amd64.go1.21.6.tar.gz",
        new OriginalRelease(original.toString(), "1.21.6", HttpClient.newHttpClient())
            .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX)
            .getFileName()
            .toString());
  }

  @Test
  void aUrlPrefixIsFetchedByNameWithTheOriginalGoVersion(@TempDir Path dir) throws Exception {
    byte[] body = "the original archive".getBytes();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/releases/",
        exchange -> {
          boolean known =
              exchange
                  .getRequestURI()
                  .getPath()
                  .equals("/releases/nsq-1.3.0.linux-amd64.go1.21.5.tar.gz");
          exchange.sendResponseHeaders(known ? 200 : 404, known ? body.length : -1);
          if (known) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    try {
      String prefix = "http://127.0.0.1:" + server.getAddress().getPort() + "/releases/";
      Path got =
          new OriginalRelease(prefix, "go1.21.5", HttpClient.newHttpClient())
              .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX);
      assertArrayEquals(body, Files.readAllBytes(got));

      RebuildException noGo =
          assertThrows(
              RebuildException.class,
              () ->
                  new OriginalRelease(prefix, null, HttpClient.newHttpClient())
                      .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX));
      assertEquals("originalGo", noGo.parameter());

      RebuildException missing =
          assertThrows(
              RebuildException.class,
              () ->
                  new OriginalRelease(prefix, "1.21.4", HttpClient.newHttpClient())
                      .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX));
      assertTrue(missing.getMessage().contains("answered HTTP 404"), missing.getMessage());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anOriginalLargerThanTheBoundIsRefusedWithoutReadingOn(@TempDir Path dir) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/releases/",
        exchange -> {
          // Chunked and endless: a hostile or broken server.
          exchange.sendResponseHeaders(200, 0);
          byte[] zeros = new byte[64 << 10];
          try (var out = exchange.getResponseBody()) {
            while (true) {
              out.write(zeros);
            }
          } catch (IOException closed) {
            // the client stopped reading
          }
        });
    server.start();
    try {
      String prefix = "http://127.0.0.1:" + server.getAddress().getPort() + "/releases/";
      Path work = dir.resolve("v1.3.0/work");
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () ->
                  new OriginalRelease(
                          prefix,
                          "go1.21.5",
                          HttpClient.newHttpClient(),
                          1 << 20,
                          Duration.ofSeconds(60))
                      .locate(NSQ, NAMES, work, artifact(), LINUX));
      assertEquals("original", e.parameter());
      assertTrue(e.getMessage().contains("holds more than 1 MiB"), e.getMessage());
      try (var left = Files.list(work.resolve("original"))) {
        assertEquals(List.of(), left.toList(), "no partial download is left");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aServerThatFallsSilentFailsTheDownloadInsteadOfHoldingTheRelease(@TempDir Path dir)
      throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/releases/",
        exchange -> {
          exchange.sendResponseHeaders(200, 1 << 20);
          try (var out = exchange.getResponseBody()) {
            out.write(new byte[10]);
            out.flush();
            Thread.sleep(5_000);
          } catch (IOException | InterruptedException stopped) {
            // the client gave up
          }
        });
    server.start();
    try {
      String prefix = "http://127.0.0.1:" + server.getAddress().getPort() + "/releases/";
      long start = System.nanoTime();
      RebuildException e =
          assertThrows(
              RebuildException.class,
              () ->
                  new OriginalRelease(
                          prefix,
                          "go1.21.5",
                          HttpClient.newHttpClient(),
                          1 << 20,
                          Duration.ofSeconds(1))
                      .locate(NSQ, NAMES, dir.resolve("v1.3.0/work"), artifact(), LINUX));
      assertTrue(e.getMessage().contains("nothing arrived for 1 s"), e.getMessage());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20, "bounded in time");
    } finally {
      server.stop(0);
    }
  }
}
