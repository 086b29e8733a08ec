package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.testing.HostileHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Release lists, proxy lists and checksum database answers from a server that sends without end,
 * trickles or falls silent: each fails in bounded memory and time, naming the URL.
 */
class HttpTextBoundsTest {

  private final Http http = new Http(Duration.ofSeconds(1));

  @Test
  void aTextWithoutEndIsRefusedAtTheLimit() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      server.endless("/dl/list", (byte) ' ');
      IOException e =
          assertTimeoutPreemptively(
              Duration.ofMinutes(1),
              () -> assertThrows(IOException.class, () -> http.get(server.uri("/dl/list"))));
      assertTrue(
          e.getMessage().contains(server.uri("/dl/list") + " sent more than 32 MiB"),
          e.getMessage());
    }
  }

  @Test
  void aServerTricklingBytesFailsWithinTheDeadline() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      // A byte every 100 ms never stalls for the 1 s timeout; only the deadline ends it.
      server.trickle("/dl/list", (byte) ' ', 100);
      long start = System.nanoTime();
      IOException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> assertThrows(IOException.class, () -> http.get(server.uri("/dl/list"))));
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertTrue(seconds < 10, "took " + seconds + " s");
      assertTrue(
          e.getMessage()
              .equals(
                  "reading "
                      + server.uri("/dl/list")
                      + " failed: it did not arrive whole within "
                      + Http.TEXT_DEADLINE_TIMEOUTS
                      + " s"),
          e.getMessage());
    }
  }

  @Test
  void aServerFallingSilentFailsAfterTheTimeout() throws IOException {
    try (HostileHttpServer server = new HostileHttpServer()) {
      server.stall("/dl/list", "[{\"version\":\"go1.21.13\"}]".getBytes(StandardCharsets.UTF_8));
      IOException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> assertThrows(IOException.class, () -> http.get(server.uri("/dl/list"))));
      assertTrue(
          e.getMessage()
              .equals("reading " + server.uri("/dl/list") + " failed: nothing arrived for 1 s"),
          e.getMessage());
    }
  }
}
