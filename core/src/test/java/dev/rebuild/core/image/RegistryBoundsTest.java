package dev.rebuild.core.image;

import static java.time.Duration.ofSeconds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile registry cannot make a rebuild read without end or wait without end: manifests, indexes
 * and blobs are bounded, and a body that stalls or trickles fails within the stall timeout.
 */
class RegistryBoundsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MANIFEST_TYPE = MediaTypes.OCI_MANIFEST;
  static final Duration STALL = Duration.ofSeconds(1);

  @TempDir Path tmp;
  StandInRegistry registry;

  @BeforeEach
  void start() throws IOException {
    registry = new StandInRegistry();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  RegistrySource source() throws ImageException {
    RegistryClient client =
        new RegistryClient(
            CredentialSource.NONE,
            Set.of(registry.host()),
            1,
            Duration.ofMillis(10),
            STALL,
            message -> {});
    return new RegistrySource(client, ImageReference.parse(registry.host() + "/app:v1"), tmp);
  }

  /** Serves an image manifest at tag v1 whose config is {@code size} bytes with {@code digest}. */
  void serveManifest(String digest, long size, int layers) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MANIFEST_TYPE);
    m.set("config", descriptor(MediaTypes.OCI_CONFIG, digest, size));
    ArrayNode ls = m.putArray("layers");
    for (int i = 0; i < layers; i++) {
      ls.add(descriptor(MediaTypes.OCI_LAYER, Digest.of(new byte[] {(byte) i}).toString(), 1));
    }
    byte[] bytes = JSON.writeValueAsBytes(m);
    registry.on("/v2/app/manifests/v1", ex -> StandInRegistry.send(ex, 200, MANIFEST_TYPE, bytes));
  }

  static ObjectNode descriptor(String type, String digest, long size) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", type);
    d.put("digest", digest);
    d.put("size", size);
    return d;
  }

  @Test
  void aManifestLargerThanFourMiBIsRefusedNamingTheReference() {
    byte[] huge = new byte[4 * 1024 * 1024 + 1];
    Arrays.fill(huge, (byte) ' ');
    registry.on("/v2/app/manifests/v1", ex -> StandInRegistry.send(ex, 200, MANIFEST_TYPE, huge));

    ImageException e = assertThrows(ImageException.class, () -> source().root());

    assertEquals(
        "manifest v1 of " + registry.host() + "/app is larger than 4194304 bytes; refused",
        e.getMessage());
    assertEquals(ImageException.Kind.BAD_INPUT, e.kind());
  }

  @Test
  void aManifestWithMoreThan1000LayersIsRefused() throws IOException {
    serveManifest(Digest.of(new byte[0]).toString(), 0, 1001);

    ImageException e = assertThrows(ImageException.class, () -> source().root());

    assertTrue(e.getMessage().contains("lists 1001 layers, more than the 1000"), e.getMessage());
    assertTrue(e.getMessage().contains(registry.host() + "/app:v1"), e.getMessage());
  }

  @Test
  void aConfigLargerThanFourMiBIsRefusedBeforeItIsDownloaded() throws IOException {
    serveManifest(Digest.of(new byte[0]).toString(), 4 * 1024 * 1024 + 1, 1);

    ImageException e = assertThrows(ImageException.class, () -> source().root());

    assertTrue(
        e.getMessage().contains("gives its config 4194305 bytes, more than the 4194304"),
        e.getMessage());
  }

  @Test
  void anIndexWithMoreThan256ManifestsIsRefused() throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode ms = index.putArray("manifests");
    for (int i = 0; i < 257; i++) {
      ms.add(descriptor(MANIFEST_TYPE, Digest.of(new byte[] {(byte) i}).toString(), 100));
    }
    byte[] bytes = JSON.writeValueAsBytes(index);
    registry.on(
        "/v2/app/manifests/v1", ex -> StandInRegistry.send(ex, 200, MediaTypes.OCI_INDEX, bytes));

    ImageException e = assertThrows(ImageException.class, () -> source().root());

    assertTrue(e.getMessage().contains("lists 257 manifests, more than the 256"), e.getMessage());
  }

  @Test
  void aBlobLongerThanItsDescriptorIsCutOff() throws IOException {
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String digest = Digest.of(config).toString();
    serveManifest(digest, config.length, 0);
    // The right bytes, then zeros without end.
    registry.on(
        "/v2/app/blobs/" + digest,
        ex -> {
          ex.sendResponseHeaders(200, 0);
          OutputStream out = ex.getResponseBody();
          out.write(config);
          byte[] zeros = new byte[64 * 1024];
          while (true) {
            out.write(zeros);
          }
        });

    ImageException e =
        assertTimeoutPreemptively(
            ofSeconds(20),
            () -> {
              RegistrySource src = source();
              src.root();
              return assertThrows(ImageException.class, () -> src.blob(digest));
            });

    assertEquals(
        "blob "
            + digest
            + " of "
            + registry.host()
            + "/app: the registry sent more than the "
            + config.length
            + " bytes its descriptor gives; refused",
        e.getMessage());
    try (var files = Files.list(tmp)) {
      assertEquals(0, files.count(), "nothing is left in the cache");
    }
  }

  @Test
  void aBlobIsCheckedAgainstItsDigest() throws Exception {
    byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    byte[] other = "{\"os\":\"plan9\"}".getBytes(StandardCharsets.UTF_8);
    String digest = Digest.of(config).toString();
    serveManifest(digest, config.length, 0);
    registry.on(
        "/v2/app/blobs/" + digest,
        ex -> StandInRegistry.send(ex, 200, "application/octet-stream", other));
    RegistrySource src = source();
    src.root();

    ImageException e = assertThrows(ImageException.class, () -> src.blob(digest));

    assertTrue(e.getMessage().contains("downloaded as " + Digest.of(other)), e.getMessage());
  }

  @Test
  void aBodyThatStopsMidwayFailsWithinTheStallTimeout() throws IOException {
    byte[] blob = new byte[200 * 1024];
    String digest = Digest.of(blob).toString();
    serveManifest(digest, blob.length, 0);
    registry.on(
        "/v2/app/blobs/" + digest,
        ex -> {
          ex.sendResponseHeaders(200, blob.length);
          OutputStream out = ex.getResponseBody();
          out.write(blob, 0, 1000);
          out.flush();
          StandInRegistry.pause(120_000);
        });

    long start = System.nanoTime();
    ImageException e =
        assertTimeoutPreemptively(
            ofSeconds(20),
            () -> {
              RegistrySource src = source();
              src.root();
              return assertThrows(ImageException.class, () -> src.blob(digest));
            });
    long seconds = (System.nanoTime() - start) / 1_000_000_000;

    assertTrue(seconds < 5, "failed after " + seconds + " s with a 1 s stall timeout");
    assertTrue(
        e.getMessage().startsWith("registry " + registry.host() + " stalled: "), e.getMessage());
    assertTrue(e.getMessage().contains("delivered less than 65536 bytes in 1 s"), e.getMessage());
  }

  @Test
  void aBodyThatTricklesFailsWithinTheStallTimeout() throws IOException {
    byte[] blob = new byte[10_000];
    String digest = Digest.of(blob).toString();
    serveManifest(digest, blob.length, 0);
    registry.on(
        "/v2/app/blobs/" + digest,
        ex -> {
          ex.sendResponseHeaders(200, blob.length);
          OutputStream out = ex.getResponseBody();
          for (byte b : blob) {
            out.write(b);
            out.flush();
            StandInRegistry.pause(100);
          }
          out.close();
        });

    ImageException e =
        assertTimeoutPreemptively(
            ofSeconds(20),
            () -> {
              RegistrySource src = source();
              src.root();
              return assertThrows(ImageException.class, () -> src.blob(digest));
            });

    assertTrue(e.getMessage().contains("delivered less than 65536 bytes"), e.getMessage());
  }

  @Test
  void aRegistryThatNeverAnswersFailsWithinTheStallTimeout() {
    registry.on("/v2/app/manifests/v1", ex -> StandInRegistry.pause(120_000));

    ImageException e =
        assertTimeoutPreemptively(
            ofSeconds(20), () -> assertThrows(ImageException.class, () -> source().root()));

    assertTrue(e.getMessage().contains("did not answer after 1 attempts"), e.getMessage());
  }

  @Test
  void aSlowButSteadyBodyIsNotTakenForAStall() throws Exception {
    byte[] blob = new byte[1024 * 1024];
    Arrays.fill(blob, (byte) 7);
    String digest = Digest.of(blob).toString();
    serveManifest(digest, blob.length, 0);
    // 128 KiB every 250 ms: two seconds for the blob, over the 1 s stall timeout but never idle.
    registry.on(
        "/v2/app/blobs/" + digest,
        ex -> {
          ex.sendResponseHeaders(200, blob.length);
          OutputStream out = ex.getResponseBody();
          for (int off = 0; off < blob.length; off += 128 * 1024) {
            out.write(blob, off, 128 * 1024);
            out.flush();
            StandInRegistry.pause(250);
          }
          out.close();
        });
    RegistrySource src = source();
    src.root();

    Path file = src.blob(digest);

    assertArrayEquals(blob, Files.readAllBytes(file));
    assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".part")));
  }
}
