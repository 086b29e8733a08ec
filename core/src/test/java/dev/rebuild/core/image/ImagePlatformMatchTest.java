package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which rebuilt binary goes into which platform image when the release builds several amd64
 * variants: a GOAMD64=v3 binary in the generic amd64 image would die with SIGILL on older CPUs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagePlatformMatchTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Platform AMD64 = Platform.parse("linux/amd64");
  static final Platform AMD64_V1 = Platform.parse("linux/amd64/v1");
  static final Platform AMD64_V3 = Platform.parse("linux/amd64/v3");

  Fixture fixture;
  Path layout;
  RebuiltBinary generic;
  RebuiltBinary v3;
  @TempDir Path tmp;

  @BeforeAll
  void build(@TempDir Path dir) throws IOException {
    fixture = Fixture.get();
    generic = new RebuiltBinary(AMD64, Fixture.HELLO, buildHello(dir, AMD64));
    v3 = new RebuiltBinary(AMD64_V3, Fixture.HELLO, buildHello(dir, AMD64_V3));
    layout = dir.resolve("layout");
    writeOriginal(layout);
  }

  private Path buildHello(Path dir, Platform p) {
    Path out = dir.resolve("hello-" + p.archLabel());
    Cmd.ok(
        List.of(Fixture.NEW_GO, "build", "-trimpath", "-o", out.toString(), "./cmd/hello"),
        fixture.module(),
        Fixture.goEnv(p));
    return out;
  }

  /** An index of a generic amd64 image and an amd64/v3 one, each holding the old hello. */
  private void writeOriginal(Path layout) throws IOException {
    Fixture.Layer layer =
        Fixture.layer(List.of(fixture.binary("usr/local/bin/hello", AMD64, "hello")));
    Fixture.writeBlob(layout, layer.gz());
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (String variant : List.of("", "v3")) {
      ObjectNode config = JSON.createObjectNode();
      config.put("architecture", "amd64");
      config.put("os", "linux");
      if (!variant.isEmpty()) {
        config.put("variant", variant);
      }
      ObjectNode rootfs = config.putObject("rootfs");
      rootfs.put("type", "layers");
      rootfs.putArray("diff_ids").add(layer.diffId());
      config.putArray("history").addObject().put("created_by", "fixture");
      byte[] configBytes = JSON.writeValueAsBytes(config);
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
      manifest
          .putObject("config")
          .put("mediaType", MediaTypes.OCI_CONFIG)
          .put("digest", Fixture.writeBlob(layout, configBytes))
          .put("size", configBytes.length);
      manifest
          .putArray("layers")
          .addObject()
          .put("mediaType", MediaTypes.OCI_LAYER_GZIP)
          .put("digest", layer.digest())
          .put("size", layer.gz().length);
      byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
      ObjectNode d = manifests.addObject();
      d.put("mediaType", MediaTypes.OCI_MANIFEST);
      d.put("digest", Fixture.writeBlob(layout, manifestBytes));
      d.put("size", manifestBytes.length);
      ObjectNode platform = d.putObject("platform").put("architecture", "amd64").put("os", "linux");
      if (!variant.isEmpty()) {
        platform.put("variant", variant);
      }
    }
    byte[] indexBytes = JSON.writeValueAsBytes(index);
    ObjectNode top = JSON.createObjectNode();
    top.put("schemaVersion", 2);
    top.putArray("manifests")
        .addObject()
        .put("mediaType", MediaTypes.OCI_INDEX)
        .put("digest", Fixture.writeBlob(layout, indexBytes))
        .put("size", indexBytes.length)
        .putObject("annotations")
        .put(OciLayoutSource.REF_NAME, "v1.0.0");
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(top));
  }

  ImageResult rebuild(List<RebuiltBinary> binaries, List<Platform> platforms) throws Exception {
    ImageContext ctx =
        new ImageContext(
            "1.0.0",
            "0123456789abcdef0123456789abcdef01234567",
            Instant.parse("2024-05-01T12:00:00Z"),
            fixture.newGoVersion,
            Set.of(),
            Set.of(),
            true,
            tmp.resolve("out"),
            CredentialSource.NONE);
    ImageSpec spec =
        new ImageSpec(
            "oci-layout:" + layout + ":v1.0.0",
            "registry.invalid/example/app",
            List.of("v1.0.0-rebuild"),
            ImageSpec.Strategy.REPLACE,
            null,
            platforms);
    return new ImageRebuilder(new GoBuildInfoIdentifier(), ImageListener.NONE)
        .rebuild(spec, binaries, ctx);
  }

  /** The GOAMD64 build setting of the hello in the layer the rebuild wrote for {@code image}. */
  String goamd64Of(PlatformImage image) throws IOException {
    assertEquals(1, image.newLayers().size(), image.toString());
    Path layer = tmp.resolve("out/blobs/sha256/" + image.newLayers().get(0).substring(7));
    Path dir = Files.createDirectories(tmp.resolve("x-" + image.platform().archLabel()));
    Cmd.ok("tar", "-xzf", layer.toString(), "-C", dir.toString());
    String info =
        Cmd.ok(
            List.of(Fixture.NEW_GO, "version", "-m", dir.resolve("usr/local/bin/hello").toString()),
            null,
            Fixture.goEnv(null));
    assertTrue(info.contains(": " + fixture.newGoVersion + "\n"), info);
    for (String line : info.split("\n")) {
      String t = line.strip();
      if (t.startsWith("build\tGOAMD64=")) {
        return t.substring("build\tGOAMD64=".length());
      }
    }
    throw new AssertionError("no GOAMD64 in the build info: " + info);
  }

  @Test
  void genericImageGetsTheV1BinaryWhateverTheOrderOfTheTargets() throws Exception {
    ImageResult r = rebuild(List.of(v3, generic), List.of());
    assertEquals(
        List.of(AMD64, AMD64_V3), r.platforms().stream().map(PlatformImage::platform).toList());
    assertEquals("v1", goamd64Of(r.platforms().get(0)));
    assertEquals("v3", goamd64Of(r.platforms().get(1)));
  }

  @Test
  void aV3BinaryAloneDoesNotGoIntoTheGenericImage() {
    ImageException e =
        assertThrows(ImageException.class, () -> rebuild(List.of(v3), List.of(AMD64)));
    assertTrue(e.getMessage().contains("not rebuilt"), e.getMessage());
    assertTrue(e.getMessage().contains("/usr/local/bin/hello"), e.getMessage());
  }

  @Test
  void twoCandidatesForOneImageBinaryAreAnErrorNamingThem() {
    RebuiltBinary alsoV1 = new RebuiltBinary(AMD64_V1, Fixture.HELLO, v3.file());
    ImageException e =
        assertThrows(ImageException.class, () -> rebuild(List.of(generic, alsoV1), List.of(AMD64)));
    assertTrue(e.getMessage().contains("/usr/local/bin/hello"), e.getMessage());
    assertTrue(e.getMessage().contains(generic.file().toString()), e.getMessage());
    assertTrue(e.getMessage().contains(alsoV1.file().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("linux/amd64/v1"), e.getMessage());
  }
}
