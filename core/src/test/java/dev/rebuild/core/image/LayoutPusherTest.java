package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.image.LayoutPusher.PushResult;
import dev.rebuild.core.image.LayoutPusher.PushSettings;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes OCI layouts written by {@link ImageRebuilder#build} to a real registry and checks the
 * result, and that a changed layout pushes nothing, with crane.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LayoutPusherTest {
  static final Crane CRANE = Crane.anonymous();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MAIN_TAG = "v1.0.0-rebuild";
  static final String CHANGED = "the OCI layout was changed after it was written; rebuild it";

  @RegisterExtension static final TestRegistry REGISTRY = TestRegistry.open();

  Fixture fixture;

  /** Written once by build; tests that change a layout change a copy. */
  Path layout;

  ImageResult built;
  @TempDir Path tmp;

  /** What a push reported to its listener. */
  static final class Recorder implements ImageListener {
    final List<String> progress = new ArrayList<>();
    final List<String> pushed = new ArrayList<>();

    @Override
    public void progress(String message) {
      progress.add(message);
    }

    @Override
    public void pushed(Pushed what, String id) {
      pushed.add(what + " " + id);
    }
  }

  @BeforeAll
  void buildOnce(@TempDir Path dir) throws Exception {
    fixture = Fixture.get();
    Path original =
        fixture.writeOriginal(dir.resolve("original"), "v1.0.0", List.of("hello", "world"));
    CRANE.pushLayoutRef(original, "v1.0.0", REGISTRY.host() + "/example/app:v1.0.0");
    layout = dir.resolve("built");
    built = build(layout, List.of(MAIN_TAG, "v1.0-security"));
  }

  ImageResult build(Path outputDir, List<String> tags) throws ImageException {
    return new ImageRebuilder(new GoBuildInfoIdentifier(), ImageListener.NONE)
        .build(
            ImageSpec.replace(
                REGISTRY.host() + "/example/app:v1.0.0", REGISTRY.host() + "/example/app", tags),
            fixture.rebuilt,
            new ImageContext(
                "1.0.0",
                "0123456789abcdef0123456789abcdef01234567",
                Instant.parse("2024-05-01T12:00:00Z"),
                fixture.newGoVersion,
                Set.of(REGISTRY.host()),
                Set.of(),
                true,
                outputDir,
                CredentialSource.NONE));
  }

  static PushSettings settings(Set<String> moveTags) {
    return new PushSettings(
        CredentialSource.NONE,
        Set.of(REGISTRY.host()),
        moveTags,
        List.of(new ImageReference(REGISTRY.host(), "example/app", null, null)));
  }

  static ImageReference repo(String name) {
    return new ImageReference(REGISTRY.host(), name, null, null);
  }

  /** The digest a reference resolves to, from the raw manifest crane fetches; null when none. */
  static String digestOf(String ref) {
    String raw = CRANE.rawManifest(REGISTRY.host() + "/" + ref);
    return raw == null ? null : Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String catalog() {
    return CRANE.ok("catalog", REGISTRY.host());
  }

  static Path blob(Path layout, String digest) {
    return layout.resolve("blobs/sha256/" + digest.substring(7));
  }

  static JsonNode blobJson(Path layout, String digest) throws IOException {
    return JSON.readTree(blob(layout, digest).toFile());
  }

  Path copyOfLayout(String name) throws IOException {
    Path copy = tmp.resolve(name);
    try (Stream<Path> s = Files.walk(layout)) {
      for (Path p : s.toList()) {
        Path to = copy.resolve(layout.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return copy;
  }

  /** Adds a ref to the layout's index.json by hand, as someone changing the layout would. */
  static void addRef(Path layout, String ref, String mediaType, String digest, long size)
      throws IOException {
    ObjectNode index = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
    ObjectNode d = ((ArrayNode) index.get("manifests")).addObject();
    d.put("mediaType", mediaType);
    d.put("digest", digest);
    d.put("size", size);
    d.putObject("annotations").put(OciLayoutSource.REF_NAME, ref);
    Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
  }

  /** Asserts that pushing fails as bad input before anything reached the registry. */
  ImageException refused(String repository, Executable push, Recorder recorder) {
    String before = catalog();
    ImageException e = assertThrows(ImageException.class, push);
    assertEquals(ImageException.Kind.BAD_INPUT, e.kind(), e.getMessage());
    assertEquals(List.of(), recorder.pushed, "nothing pushed");
    assertEquals(before, catalog(), "the registry's catalog is unchanged");
    assertFalse(catalog().contains(repository), catalog());
    return e;
  }

  @Test
  void pushesTheLayoutAndASecondPushUploadsNothing() throws Exception {
    Recorder first = new Recorder();
    PushResult r =
        new LayoutPusher(RegistryClientFactory.DEFAULT, first)
            .push(
                layout,
                MAIN_TAG,
                repo("example/pushed"),
                List.of(MAIN_TAG, "v1.0-security"),
                settings(Set.of()));
    assertEquals(built.digest(), r.digest());
    assertEquals(REGISTRY.host() + "/example/pushed:" + MAIN_TAG, r.reference());
    assertTrue(r.uploadedAnything());
    assertEquals(List.of(MAIN_TAG, "v1.0-security"), r.pushedTags());
    assertEquals(r.pushedBlobs().size() + r.pushedManifests().size() + 2, first.pushed.size());
    assertTrue(first.progress.get(first.progress.size() - 1).startsWith("pushed "));

    // crane's view: both tags are the built index, its manifests and configs are the layout's.
    assertEquals(r.digest(), digestOf("example/pushed:" + MAIN_TAG));
    assertEquals(r.digest(), digestOf("example/pushed:v1.0-security"));
    JsonNode index = blobJson(layout, r.digest());
    assertEquals(2, index.path("manifests").size());
    for (JsonNode d : index.path("manifests")) {
      String digest = d.path("digest").asText();
      String ref = REGISTRY.host() + "/example/pushed@" + digest;
      assertArrayEquals(
          Files.readAllBytes(blob(layout, digest)),
          CRANE.ok("manifest", ref).getBytes(StandardCharsets.UTF_8));
      String config = blobJson(layout, digest).path("config").path("digest").asText();
      assertEquals(
          config,
          Digest.of(CRANE.ok("config", ref).getBytes(StandardCharsets.UTF_8)).toString(),
          "crane config is the layout's config blob");
    }

    Recorder second = new Recorder();
    PushResult again =
        new LayoutPusher(RegistryClientFactory.DEFAULT, second)
            .push(
                layout,
                MAIN_TAG,
                repo("example/pushed"),
                List.of(MAIN_TAG, "v1.0-security"),
                settings(Set.of()));
    assertFalse(again.uploadedAnything());
    assertEquals(r.digest(), again.digest());
    assertEquals(List.of(), again.pushedBlobs());
    assertEquals(List.of(), second.pushed);
    assertTrue(
        second.progress.get(second.progress.size() - 1).contains("nothing new to push"),
        second.progress.toString());
  }

  @Test
  void aChangedLayerIsRefusedBeforeAnythingIsPushed() throws Exception {
    Path copy = copyOfLayout("tampered");
    JsonNode index = blobJson(copy, built.digest());
    String manifest = index.path("manifests").get(1).path("digest").asText();
    String layer = blobJson(copy, manifest).path("layers").get(1).path("digest").asText();
    Path file = blob(copy, layer);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);

    Recorder recorder = new Recorder();
    ImageException e =
        refused(
            "example/tampered",
            () ->
                new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                    .push(
                        copy,
                        MAIN_TAG,
                        repo("example/tampered"),
                        List.of(MAIN_TAG),
                        settings(Set.of())),
            recorder);
    assertTrue(e.getMessage().contains("blob " + layer), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(CHANGED), e.getMessage());

    Files.write(file, new byte[] {1, 2, 3});
    e =
        refused(
            "example/tampered",
            () ->
                new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                    .push(
                        copy,
                        MAIN_TAG,
                        repo("example/tampered"),
                        List.of(MAIN_TAG),
                        settings(Set.of())),
            recorder);
    assertTrue(e.getMessage().contains("is 3 bytes, its descriptor says"), e.getMessage());

    Files.delete(file);
    e =
        refused(
            "example/tampered",
            () ->
                new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                    .push(
                        copy,
                        MAIN_TAG,
                        repo("example/tampered"),
                        List.of(MAIN_TAG),
                        settings(Set.of())),
            recorder);
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
    assertTrue(e.getMessage().contains(CHANGED), e.getMessage());
  }

  @Test
  void anUnknownRefIsRefusedNamingTheRefsTheLayoutHas() {
    Recorder recorder = new Recorder();
    ImageException e =
        refused(
            "example/unknown",
            () ->
                new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                    .push(layout, "v9", repo("example/unknown"), List.of("v9"), settings(Set.of())),
            recorder);
    assertTrue(e.getMessage().contains("no image named 'v9'"), e.getMessage());
    assertTrue(e.getMessage().contains("v1.0-security, " + MAIN_TAG), e.getMessage());
  }

  @Test
  void digestsThatAreNoSha256AreRefusedBeforeTheyBecomePaths() throws Exception {
    Path copy = copyOfLayout("traversal");
    addRef(copy, "in-index-json", MediaTypes.OCI_INDEX, "sha256:../../../../etc/passwd", 10);
    // An index blob with the right digest whose child climbs out of the layout.
    JsonNode index = blobJson(copy, built.digest());
    ObjectNode evil = index.deepCopy();
    ((ObjectNode) evil.path("manifests").get(0)).put("digest", "sha256:../../index.json");
    byte[] evilBytes = JSON.writeValueAsBytes(evil);
    addRef(
        copy,
        "in-an-index",
        MediaTypes.OCI_INDEX,
        Fixture.writeBlob(copy, evilBytes),
        evilBytes.length);

    for (String ref : List.of("in-index-json", "in-an-index")) {
      Recorder recorder = new Recorder();
      ImageException e =
          refused(
              "example/traversal",
              () ->
                  new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                      .push(copy, ref, repo("example/traversal"), List.of("t"), settings(Set.of())),
              recorder);
      assertTrue(e.getMessage().contains("which is no sha256:"), e.getMessage());
      assertTrue(e.getMessage().contains("'sha256:../"), e.getMessage());
    }
  }

  @Test
  void anOversizedIndexJsonIsRefused() throws Exception {
    Path copy = copyOfLayout("oversized");
    Files.write(copy.resolve("index.json"), new byte[LayoutPusher.MAX_JSON_BYTES + 1]);
    Recorder recorder = new Recorder();
    ImageException e =
        refused(
            "example/oversized",
            () ->
                new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                    .push(
                        copy,
                        MAIN_TAG,
                        repo("example/oversized"),
                        List.of("t"),
                        settings(Set.of())),
            recorder);
    assertTrue(e.getMessage().contains("larger than"), e.getMessage());
  }

  @Test
  void aTagOfAnotherImageIsNotMovedAndNothingIsPushed() throws Exception {
    CRANE.ok(
        "copy",
        REGISTRY.host() + "/example/app:v1.0.0",
        REGISTRY.host() + "/example/guarded:taken");
    String before = digestOf("example/guarded:taken");
    Recorder recorder = new Recorder();
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                new LayoutPusher(RegistryClientFactory.DEFAULT, recorder)
                    .push(
                        layout,
                        MAIN_TAG,
                        repo("example/guarded"),
                        List.of("fresh", "taken"),
                        settings(Set.of())));
    assertEquals(ImageException.Kind.BAD_INPUT, e.kind());
    String m = e.getMessage();
    assertTrue(m.contains("tag " + REGISTRY.host() + "/example/guarded:taken"), m);
    assertTrue(m.contains("already points at " + before), m);
    assertTrue(m.contains(built.digest()), m);
    assertTrue(m.contains("nothing was pushed"), m);
    assertTrue(m.contains("moveTags"), m);
    assertEquals(List.of(), recorder.pushed);
    assertEquals("taken", CRANE.ok("ls", REGISTRY.host() + "/example/guarded").strip());
    assertEquals(before, digestOf("example/guarded:taken"));
    assertNull(digestOf("example/guarded@" + built.digest()), "the rebuild is not there");

    PushResult moved =
        new LayoutPusher(RegistryClientFactory.DEFAULT, ImageListener.NONE)
            .push(
                layout,
                MAIN_TAG,
                repo("example/guarded"),
                List.of("fresh", "taken"),
                settings(Set.of("taken")));
    assertEquals(List.of("fresh", "taken"), moved.pushedTags());
    assertEquals(built.digest(), digestOf("example/guarded:taken"));
    assertNotEquals(before, digestOf("example/guarded:taken"));
  }

  @Test
  void theLayoutIsTheSameWhateverTheOrderImagesAreWrittenIn() throws Exception {
    Path ab = tmp.resolve("ab");
    build(ab, List.of("b", "a"));
    build(ab, List.of("c"));
    Path ba = tmp.resolve("ba");
    build(ba, List.of("c"));
    build(ba, List.of("b", "a"));
    byte[] index = Files.readAllBytes(ab.resolve("index.json"));
    assertArrayEquals(index, Files.readAllBytes(ba.resolve("index.json")));
    List<String> refs = new ArrayList<>();
    for (JsonNode d : JSON.readTree(index).path("manifests")) {
      refs.add(d.path("annotations").path(OciLayoutSource.REF_NAME).asText());
      assertEquals(built.digest(), d.path("digest").asText());
    }
    assertEquals(List.of("a", "b", "c"), refs);
    assertEquals(blobs(layout), blobs(ab));
    assertEquals(blobs(ab), blobs(ba));
  }

  /** The blob files of a layout, each with its bytes' digest. */
  static List<String> blobs(Path layout) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(layout.resolve("blobs/sha256"))) {
      for (Path p : s.sorted().toList()) {
        out.add(p.getFileName() + " " + Digest.of(p));
      }
    }
    return out;
  }
}
