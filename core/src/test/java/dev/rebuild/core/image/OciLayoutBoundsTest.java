package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An OCI layout given as the original image is read within the same bounds as a registry. */
class OciLayoutBoundsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int FOUR_MIB = 4 * 1024 * 1024;

  @TempDir Path dir;

  /** Writes a blob under blobs/sha256; its digest. */
  String blob(byte[] bytes) throws IOException {
    Digest d = Digest.of(bytes);
    Path file = dir.resolve("blobs").resolve("sha256").resolve(d.hex());
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return d.toString();
  }

  byte[] manifest(int layers, int padding) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    m.set("config", descriptor(MediaTypes.OCI_CONFIG, blob("{}".getBytes()), 2));
    ArrayNode ls = m.putArray("layers");
    for (int i = 0; i < layers; i++) {
      ls.add(descriptor(MediaTypes.OCI_LAYER, Digest.of(new byte[] {(byte) i}).toString(), 1));
    }
    return (JSON.writeValueAsString(m) + " ".repeat(padding)).getBytes(StandardCharsets.UTF_8);
  }

  /** Writes index.json naming {@code manifests} copies of the manifest as v1, v2, ... */
  void index(String manifestDigest, long size, int manifests, int padding) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    ArrayNode ms = index.putArray("manifests");
    for (int i = 1; i <= manifests; i++) {
      ObjectNode d = descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, size);
      d.putObject("annotations").put(OciLayoutSource.REF_NAME, "v" + i);
      ms.add(d);
    }
    Files.writeString(
        dir.resolve("index.json"), JSON.writeValueAsString(index) + " ".repeat(padding));
  }

  static ObjectNode descriptor(String type, String digest, long size) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", type);
    d.put("digest", digest);
    d.put("size", size);
    return d;
  }

  @Test
  void aLayoutWithinTheBoundsIsRead() throws Exception {
    byte[] m = manifest(1000, 0);
    String digest = blob(m);
    index(digest, m.length, 256, 0);

    RegistryClient.Manifest root = new OciLayoutSource(dir, "v256").root();

    assertEquals(digest, root.digest());
  }

  @Test
  void anIndexJsonLargerThanFourMiBIsRefused() throws Exception {
    byte[] m = manifest(1, 0);
    index(blob(m), m.length, 1, FOUR_MIB);

    ImageException e =
        assertThrows(ImageException.class, () -> new OciLayoutSource(dir, "v1").root());

    assertTrue(
        e.getMessage().startsWith("the index.json of the OCI layout " + dir), e.getMessage());
    assertTrue(e.getMessage().contains("larger than the 4194304"), e.getMessage());
  }

  @Test
  void aManifestLargerThanFourMiBIsRefused() throws Exception {
    byte[] m = manifest(1, FOUR_MIB);
    String digest = blob(m);
    index(digest, m.length, 1, 0);

    ImageException e =
        assertThrows(ImageException.class, () -> new OciLayoutSource(dir, "v1").root());

    assertTrue(
        e.getMessage().startsWith("manifest " + digest + " of the OCI layout " + dir),
        e.getMessage());
    assertTrue(e.getMessage().contains("larger than the 4194304"), e.getMessage());
  }

  @Test
  void anIndexJsonWithMoreThan256ManifestsIsRefused() throws Exception {
    byte[] m = manifest(1, 0);
    index(blob(m), m.length, 257, 0);

    ImageException e =
        assertThrows(ImageException.class, () -> new OciLayoutSource(dir, "v1").root());

    assertTrue(e.getMessage().contains("lists 257 manifests, more than the 256"), e.getMessage());
  }

  @Test
  void aManifestWithMoreThan1000LayersIsRefused() throws Exception {
    byte[] m = manifest(1001, 0);
    index(blob(m), m.length, 1, 0);

    ImageException e =
        assertThrows(ImageException.class, () -> new OciLayoutSource(dir, "v1").root());

    assertTrue(e.getMessage().contains("lists 1001 layers, more than the 1000"), e.getMessage());
  }
}
