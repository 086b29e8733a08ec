package dev.rebuild.core.vuln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.testing.HostileHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database location that serves far too much, too slowly or nothing more: refused with the file
 * named, in bounded memory and time.
 */
class BoundedDatabaseReadsTest {

  private static final String ID = "GO-2099-0001";

  private static final byte[] INDEX =
      ("[{\"path\":\"example.com/m\",\"vulns\":[{\"id\":\""
              + ID
              + "\",\"modified\":\"2099-01-01T00:00:00Z\"}]}]")
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] ENTRY =
      ("{\"id\":\"" + ID + "\",\"modified\":\"2099-01-01T00:00:00Z\",\"affected\":[]}")
          .getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;

  private static HttpVulnerabilitySource source(HostileHttpServer server, Duration timeout) {
    return new HttpVulnerabilitySource(
        server.uri("/db").toString(),
        HttpVulnerabilitySource.defaultClient(),
        timeout,
        Duration.ofSeconds(3));
  }

  @Test
  void anIndexWithoutEndFromAServerIsRefusedAtTheLimit() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      server.endless("/db/index/modules.json", (byte) ' ');
      try (VulnerabilitySource s = VulnerabilitySources.open(server.uri("/db").toString())) {
        VulnerabilityDatabaseException e =
            assertTimeoutPreemptively(
                Duration.ofMinutes(1),
                () -> assertThrows(VulnerabilityDatabaseException.class, s::modules));
        assertTrue(
            e.getMessage()
                .startsWith(server.uri("/db/index/modules.json") + " holds more than 64 MiB"),
            e.getMessage());
      }
    }
  }

  @Test
  void anEntryWithoutEndOrInflatingBeyondTheLimitIsRefused() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      server.serve("/db/index/modules.json", INDEX);
      server.endless("/db/ID/" + ID + ".json", (byte) ' ');
      try (VulnerabilitySource s = VulnerabilitySources.open(server.uri("/db").toString())) {
        VulnerabilityDatabaseException e =
            assertThrows(VulnerabilityDatabaseException.class, () -> s.entry(ID));
        assertTrue(
            e.getMessage()
                .startsWith(server.uri("/db/ID/" + ID + ".json") + " holds more than 4 MiB"),
            e.getMessage());
      }

      // A few KiB that inflate to more than an entry may hold.
      ByteArrayOutputStream bomb = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
        gz.write(new byte[(4 << 20) + 1]);
      }
      HostileHttpServer gzipped = new HostileHttpServer();
      try (gzipped) {
        gzipped.serve("/db/index/modules.json", INDEX);
        gzipped.serve("/db/ID/" + ID + ".json.gz", bomb.toByteArray());
        try (VulnerabilitySource s = VulnerabilitySources.open(gzipped.uri("/db").toString())) {
          VulnerabilityDatabaseException e =
              assertThrows(VulnerabilityDatabaseException.class, () -> s.entry(ID));
          assertTrue(
              e.getMessage()
                  .startsWith(
                      gzipped.uri("/db/ID/" + ID + ".json.gz")
                          + " (uncompressed) holds more than 4 MiB"),
              e.getMessage());
        }
      }
    }
  }

  @Test
  void aServerTricklingBytesFailsWithinTheDeadline() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      // A byte every 100 ms never stalls for the 1 s timeout; only the whole-file deadline ends it.
      server.trickle("/db/index/modules.json", (byte) ' ', 100);
      try (VulnerabilitySource s = source(server, Duration.ofSeconds(1))) {
        long start = System.nanoTime();
        VulnerabilityDatabaseException e =
            assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> assertThrows(VulnerabilityDatabaseException.class, s::modules));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 10, "took " + seconds + " s");
        assertTrue(
            e.getMessage().startsWith("cannot fetch " + server.uri("/db/index/modules.json")),
            e.getMessage());
        assertTrue(e.getMessage().contains("did not arrive whole within 3 s"), e.getMessage());
      }
    }
  }

  @Test
  void aServerFallingSilentFailsAfterTheTimeout() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      server.stall("/db/index/modules.json", INDEX);
      try (VulnerabilitySource s = source(server, Duration.ofSeconds(1))) {
        VulnerabilityDatabaseException e =
            assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> assertThrows(VulnerabilityDatabaseException.class, s::modules));
        assertTrue(e.getMessage().contains("nothing arrived for 1 s"), e.getMessage());
      }
    }
  }

  @Test
  void oversizedFilesInADirectoryCopyAreRefused() throws IOException {
    Path db = tmp.resolve("db");
    Files.createDirectories(db.resolve("index"));
    Files.createDirectories(db.resolve("ID"));
    Path entry = db.resolve("ID/" + ID + ".json");
    Files.write(db.resolve("index/modules.json"), INDEX);
    Files.write(entry, ENTRY);
    try (VulnerabilitySource s = VulnerabilitySources.open(db.toString())) {
      assertEquals(ID, s.entry(ID).id());
    }

    sparse(entry, (4 << 20) + 1);
    try (VulnerabilitySource s = VulnerabilitySources.open(db.toString())) {
      VulnerabilityDatabaseException e =
          assertThrows(VulnerabilityDatabaseException.class, () -> s.entry(ID));
      assertTrue(e.getMessage().contains(entry + " holds more than 4 MiB"), e.getMessage());
    }

    Path index = db.resolve("index/modules.json");
    sparse(index, (64 << 20) + 1);
    try (VulnerabilitySource s = VulnerabilitySources.open(db.toString())) {
      VulnerabilityDatabaseException e =
          assertThrows(VulnerabilityDatabaseException.class, s::modules);
      assertTrue(e.getMessage().contains(index + " holds more than 64 MiB"), e.getMessage());
    }
  }

  /** Makes {@code file} {@code size} bytes long without writing them. */
  private static void sparse(Path file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }
}
