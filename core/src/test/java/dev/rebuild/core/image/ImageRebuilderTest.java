package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilds a two-platform image against a real registry and checks it with crane, tar and go. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageRebuilderTest {
  static final Crane CRANE = Crane.anonymous();
  static final Instant COMMIT_TIME = Instant.parse("2024-05-01T12:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestRegistry REGISTRY = TestRegistry.open();

  Fixture fixture;
  Path originalLayout;
  String originalDigest;
  @TempDir Path tmp;

  @BeforeAll
  void original(@TempDir Path dir) throws IOException {
    fixture = Fixture.get();
    originalLayout =
        fixture.writeOriginal(dir.resolve("layout"), "v1.0.0", List.of("hello", "world"));
    Fixture.writeBase(originalLayout, "base");
    Fixture.writeBase(originalLayout, "base");
    fixture.writeOriginal(originalLayout, "only-hello", List.of("hello"));
    push(originalLayout, "v1.0.0", "example/app:v1.0.0");
    push(originalLayout, "base", "example/base:1");
    originalDigest = digestOf("example/app:v1.0.0");
  }

  /** Pushes {@code ref} of the OCI layout, every platform, byte for byte, with crane. */
  void push(Path layout, String ref, String dest) throws IOException {
    CRANE.pushLayoutRef(layout, ref, REGISTRY.host() + "/" + dest);
  }

  /** The digest a reference resolves to, from the raw manifest crane fetches; null when none. */
  String digestOf(String ref) {
    String raw = CRANE.rawManifest(REGISTRY.host() + "/" + ref);
    return raw == null ? null : Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Pulls {@code ref} (an index: every platform) into a new OCI layout {@code dir} with crane. */
  void pull(String ref, Path dir) {
    CRANE.ok("pull", "--format=oci", REGISTRY.host() + "/" + ref, dir.toString());
  }

  /** GNU tar's verbose listing of a layer, with times in UTC whatever this machine's zone. */
  static String tarList(Path layer) {
    Map<String, String> env = new HashMap<>();
    String path = System.getenv("PATH");
    env.put("PATH", path != null ? path : "/usr/bin:/bin");
    env.put("TZ", "UTC");
    env.put("LC_ALL", "C");
    return Cmd.ok(List.of("tar", "-tvzf", layer.toString()), null, env);
  }

  ImageContext context(Set<String> moveTags, boolean skipPublish) {
    return new ImageContext(
        "1.0.0",
        "0123456789abcdef0123456789abcdef01234567",
        COMMIT_TIME,
        fixture.newGoVersion,
        Set.of(REGISTRY.host()),
        moveTags,
        skipPublish,
        tmp.resolve("out"),
        CredentialSource.NONE);
  }

  ImageRebuilder rebuilder(ImageListener listener) {
    return new ImageRebuilder(new GoBuildInfoIdentifier(), listener);
  }

  ImageSpec spec(String original, String name, String... tags) {
    return ImageSpec.replace(original, REGISTRY.host() + "/" + name, List.of(tags));
  }

  @Test
  void replacesEveryGoBinaryKeepsOtherLayersAndConfig() throws Exception {
    String tag = "v1.0.0-" + fixture.newGoVersion;
    ImageResult result =
        rebuilder(ImageListener.NONE)
            .rebuild(
                spec(REGISTRY.host() + "/example/app:v1.0.0", "example/app", tag, "v1.0-security"),
                fixture.rebuilt,
                context(Set.of(), false));
    assertTrue(result.pushedAnything());
    assertEquals(List.of(tag, "v1.0-security"), result.pushedTags());
    assertEquals(result.digest(), digestOf("example/app:" + tag), "tag points at the result");
    assertEquals(result.digest(), digestOf("example/app:v1.0-security"));
    assertEquals(originalDigest, digestOf("example/app:v1.0.0"), "original tag unchanged");

    Path copy = tmp.resolve("copy");
    pull("example/app:" + tag, copy);
    JsonNode index =
        blobJson(
            copy,
            JSON.readTree(copy.resolve("index.json").toFile())
                .path("manifests")
                .get(0)
                .path("digest")
                .asText());
    assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText());
    JsonNode annotations = index.path("annotations");
    assertEquals("1.0.0", annotations.path("org.opencontainers.image.version").asText());
    assertEquals(
        "0123456789abcdef0123456789abcdef01234567",
        annotations.path("org.opencontainers.image.revision").asText());
    assertEquals(
        "2024-05-01T12:00:00Z", annotations.path("org.opencontainers.image.created").asText());
    assertEquals(originalDigest, annotations.path("dev.rebuild.original.digest").asText());
    assertEquals(fixture.newGoVersion, annotations.path("dev.rebuild.go.version").asText());

    JsonNode originalIndex = blobJson(originalLayout, originalDigest);
    assertEquals(2, index.path("manifests").size());
    for (int p = 0; p < 2; p++) {
      JsonNode d = index.path("manifests").get(p);
      String arch = d.path("platform").path("architecture").asText();
      JsonNode manifest = blobJson(copy, d.path("digest").asText());
      JsonNode original =
          blobJson(originalLayout, originalIndex.path("manifests").get(p).path("digest").asText());
      assertEquals(
          original.path("layers").get(0).path("digest").asText(),
          manifest.path("layers").get(0).path("digest").asText(),
          "the base layer is byte-identical");
      assertNotEquals(
          original.path("layers").get(1).path("digest").asText(),
          manifest.path("layers").get(1).path("digest").asText());
      assertNotEquals(
          original.path("layers").get(2).path("digest").asText(),
          manifest.path("layers").get(2).path("digest").asText(),
          "the later layer that overwrites hello is rewritten too");
      assertTrue(manifest.path("annotations").has("dev.rebuild.original.digest"));

      JsonNode config = blobJson(copy, manifest.path("config").path("digest").asText());
      JsonNode c = config.path("config");
      assertEquals("1000:1000", c.path("User").asText());
      assertEquals("/usr/local/bin/hello", c.path("Entrypoint").get(0).asText());
      assertEquals("--serve", c.path("Cmd").get(0).asText());
      assertEquals("/srv", c.path("WorkingDir").asText());
      assertTrue(c.path("ExposedPorts").has("4150/tcp"));
      assertEquals("APP_MODE=prod", c.path("Env").get(1).asText());
      assertEquals("core", c.path("Labels").path("org.example.team").asText());
      assertEquals("2024-05-01T12:00:00Z", config.path("created").asText());
      JsonNode history = config.path("history");
      assertEquals(
          "security rebuild with " + fixture.newGoVersion,
          history.get(history.size() - 1).path("created_by").asText());

      // Every layer, as tar and go see it: only the new Go, for the right platform.
      int goBinaries = 0;
      for (int i = 0; i < manifest.path("layers").size(); i++) {
        JsonNode layer = manifest.path("layers").get(i);
        Path blob = copy.resolve("blobs/sha256/" + layer.path("digest").asText().substring(7));
        assertEquals(
            config.path("rootfs").path("diff_ids").get(i).asText(),
            Digest.of(new java.util.zip.GZIPInputStream(Files.newInputStream(blob))).toString(),
            "diff_id is the digest of the uncompressed layer");
        Path dir = Files.createDirectories(tmp.resolve("x-" + arch + "-" + i));
        Cmd.ok("tar", "-xzf", blob.toString(), "-C", dir.toString());
        for (Path f : executables(dir)) {
          String info =
              Cmd.ok(
                  List.of(Fixture.NEW_GO, "version", "-m", f.toString()),
                  null,
                  Fixture.goEnv(null));
          assertTrue(info.contains(": " + fixture.newGoVersion + "\n"), info);
          assertTrue(info.contains("GOARCH=" + arch), info);
          goBinaries++;
        }
        if (i > 0) {
          String listing = tarList(blob);
          String hello =
              listing
                  .lines()
                  .filter(l -> l.endsWith("usr/local/bin/hello"))
                  .findFirst()
                  .orElseThrow();
          assertTrue(hello.startsWith("-rwxr-xr-x app/app "), hello);
          assertTrue(hello.contains("2024-03-01 10:00"), "mtime kept: " + hello);
        }
      }
      assertEquals(3, goBinaries, arch + ": hello twice (two layers) and world");
    }
  }

  @Test
  void rerunPushesNothingNew() throws Exception {
    ImageSpec spec =
        spec(REGISTRY.host() + "/example/app:v1.0.0", "example/rerun", "v1.0.0-rebuild");
    ImageResult first =
        rebuilder(ImageListener.NONE).rebuild(spec, fixture.rebuilt, context(Set.of(), false));
    assertTrue(first.pushedAnything());
    List<String> messages = new ArrayList<>();
    List<String> pushed = new ArrayList<>();
    ImageListener listener =
        new ImageListener() {
          @Override
          public void progress(String message) {
            messages.add(message);
          }

          @Override
          public void pushed(Pushed what, String id) {
            pushed.add(what + " " + id);
          }
        };
    ImageResult second =
        rebuilder(listener).rebuild(spec, fixture.rebuilt, context(Set.of(), false));
    assertEquals(first.digest(), second.digest(), "same inputs, same image");
    assertFalse(second.pushedAnything());
    assertEquals(List.of(), pushed);
    assertTrue(
        messages.get(messages.size() - 1).contains("nothing new to push"), messages.toString());
  }

  @Test
  void refusesToMoveTheOriginalTag() throws Exception {
    ImageSpec spec = spec(REGISTRY.host() + "/example/app:v1.0.0", "example/app", "v1.0.0");
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                rebuilder(ImageListener.NONE)
                    .rebuild(spec, fixture.rebuilt, context(Set.of(), false)));
    assertTrue(e.getMessage().contains("refusing to move the original tag"), e.getMessage());
    assertEquals(originalDigest, digestOf("example/app:v1.0.0"));
  }

  @Test
  void movesTheOriginalTagOnlyWhenAsked() throws Exception {
    push(originalLayout, "v1.0.0", "example/moved:v1.0.0");
    ImageSpec spec = spec(REGISTRY.host() + "/example/moved:v1.0.0", "example/moved", "v1.0.0");
    ImageResult r =
        rebuilder(ImageListener.NONE)
            .rebuild(spec, fixture.rebuilt, context(Set.of("v1.0.0"), false));
    assertEquals(r.digest(), digestOf("example/moved:v1.0.0"));
    assertNotEquals(originalDigest, r.digest());
  }

  @Test
  void refusesToMoveAnExistingTagOfTheTarget() throws Exception {
    push(originalLayout, "base", "example/guard:v1.0.0-rebuild");
    String before = digestOf("example/guard:v1.0.0-rebuild");
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                rebuilder(ImageListener.NONE)
                    .rebuild(
                        spec(
                            REGISTRY.host() + "/example/app:v1.0.0",
                            "example/guard",
                            "v1.0.0-rebuild"),
                        fixture.rebuilt,
                        context(Set.of(), false)));
    assertTrue(e.getMessage().contains("already points at " + before), e.getMessage());
    assertTrue(e.getMessage().contains("moveTags"), e.getMessage());
    assertEquals(before, digestOf("example/guard:v1.0.0-rebuild"));
  }

  @Test
  void dockerV2FormatOriginalBecomesOciWithTheSameBaseLayer() throws Exception {
    // The original in Docker's v2 schema 2 format (as skopeo copy --format v2s2 writes it).
    Path docker = Files.createDirectories(tmp.resolve("docker-v2s2"));
    push(docker, Crane.dockerV2s2(originalLayout, "v1.0.0", docker), "example/dockerfmt:v1.0.0");
    String raw = CRANE.ok("manifest", REGISTRY.host() + "/example/dockerfmt:v1.0.0");
    assertTrue(raw.contains(MediaTypes.DOCKER_LIST), raw);
    ImageResult r =
        rebuilder(ImageListener.NONE)
            .rebuild(
                spec(
                    REGISTRY.host() + "/example/dockerfmt:v1.0.0",
                    "example/dockerfmt",
                    "v1.0.0-rebuild"),
                fixture.rebuilt,
                context(Set.of(), false));
    Path copy = tmp.resolve("dockerfmt");
    pull("example/dockerfmt:v1.0.0-rebuild", copy);
    JsonNode index = blobJson(copy, r.digest());
    assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText());
    JsonNode manifest = blobJson(copy, index.path("manifests").get(0).path("digest").asText());
    JsonNode original =
        JSON.readTree(
            CRANE.ok(
                "manifest",
                REGISTRY.host()
                    + "/example/dockerfmt@"
                    + JSON.readTree(raw).path("manifests").get(0).path("digest").asText()));
    assertEquals(MediaTypes.DOCKER_MANIFEST, original.path("mediaType").asText());
    assertEquals(
        original.path("layers").get(0).path("digest").asText(),
        manifest.path("layers").get(0).path("digest").asText());
    assertEquals(
        MediaTypes.OCI_LAYER_GZIP, manifest.path("layers").get(0).path("mediaType").asText());
  }

  @Test
  void unmatchedGoBinaryIsAnErrorNamingIt() throws Exception {
    List<RebuiltBinary> onlyHello =
        fixture.rebuilt.stream().filter(b -> b.mainPath().equals(Fixture.HELLO)).toList();
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                rebuilder(ImageListener.NONE)
                    .rebuild(
                        spec(REGISTRY.host() + "/example/app:v1.0.0", "example/unmatched", "x"),
                        onlyHello,
                        context(Set.of(), false)));
    assertTrue(e.getMessage().contains("/usr/local/bin/world"), e.getMessage());
    assertTrue(e.getMessage().contains(Fixture.WORLD), e.getMessage());
    assertTrue(e.getMessage().contains("linux/amd64"), e.getMessage());
    assertEquals(null, digestOf("example/unmatched:x"), "nothing pushed");
  }

  @Test
  void unknownImageIsAClearError() {
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                rebuilder(ImageListener.NONE)
                    .rebuild(
                        spec(REGISTRY.host() + "/example/nope:v9", "example/nope", "v9-rebuild"),
                        fixture.rebuilt,
                        context(Set.of(), false)));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
    assertTrue(e.getMessage().contains("example/nope:v9"), e.getMessage());
  }

  @Test
  void registryStoppedHalfwayLeavesNoTag() throws Exception {
    ImageListener stopAfterFirstManifest =
        new ImageListener() {
          @Override
          public void pushed(Pushed what, String id) {
            if (what == Pushed.MANIFEST) {
              REGISTRY.stop();
            }
          }
        };
    ImageSpec spec =
        spec(REGISTRY.host() + "/example/app:v1.0.0", "example/halfway", "v1.0.0-rebuild");
    ImageException e;
    try {
      e =
          assertThrows(
              ImageException.class,
              () ->
                  rebuilder(stopAfterFirstManifest)
                      .rebuild(spec, fixture.rebuilt, context(Set.of(), false)));
    } finally {
      REGISTRY.start();
    }
    assertTrue(
        e.getMessage().contains("Pushed before the failure: blobs [sha256:"), e.getMessage());
    assertTrue(e.getMessage().contains("manifests [sha256:"), e.getMessage());
    assertTrue(e.getMessage().contains("no tag was set"), e.getMessage());
    assertEquals(null, digestOf("example/halfway:v1.0.0-rebuild"), "no tag at a partial image");
    ImageResult again =
        rebuilder(ImageListener.NONE).rebuild(spec, fixture.rebuilt, context(Set.of(), false));
    assertEquals(again.digest(), digestOf("example/halfway:v1.0.0-rebuild"));
  }

  @Test
  void skipPublishWritesAnOciLayoutFromAnOciLayout() throws Exception {
    ImageContext ctx = context(Set.of(), true);
    ImageResult fromLayout =
        rebuilder(ImageListener.NONE)
            .rebuild(
                ImageSpec.replace(
                    "oci-layout:" + originalLayout + ":v1.0.0",
                    REGISTRY.host() + "/example/layout",
                    List.of("a", "b")),
                fixture.rebuilt,
                ctx);
    assertFalse(fromLayout.pushedAnything());
    // Independently read: crane pushes the layout's "b" and the registry checks every blob.
    push(ctx.outputDir(), "b", "example/layout-check:b");
    assertEquals(fromLayout.digest(), digestOf("example/layout-check:b"));
    // The same image as when read from the registry: the source does not change the result.
    ImageResult fromRegistry =
        rebuilder(ImageListener.NONE)
            .rebuild(
                spec(REGISTRY.host() + "/example/app:v1.0.0", "example/layout", "a"),
                fixture.rebuilt,
                context(Set.of(), true));
    assertEquals(fromLayout.digest(), fromRegistry.digest());
    assertEquals(null, digestOf("example/layout:a"), "skipPublish pushes nothing");
  }

  @Test
  void rebasePutsRebuiltBinariesOnTheBase() throws Exception {
    ImageSpec spec =
        new ImageSpec(
            REGISTRY.host() + "/example/app:v1.0.0",
            REGISTRY.host() + "/example/rebased",
            List.of("v1.0.0-rebased"),
            ImageSpec.Strategy.REBASE,
            REGISTRY.host() + "/example/base:1",
            List.of(Platform.parse("linux/arm64")));
    ImageResult r =
        rebuilder(ImageListener.NONE).rebuild(spec, fixture.rebuilt, context(Set.of(), false));
    assertEquals(1, r.platforms().size());
    Path copy = tmp.resolve("rebased");
    pull("example/rebased:v1.0.0-rebased", copy);
    JsonNode index = blobJson(copy, r.digest());
    JsonNode manifest = blobJson(copy, index.path("manifests").get(0).path("digest").asText());
    JsonNode base = blobJson(originalLayout, digestOf("example/base:1"));
    JsonNode baseArm =
        blobJson(originalLayout, base.path("manifests").get(1).path("digest").asText());
    assertEquals(2, manifest.path("layers").size());
    assertEquals(
        baseArm.path("layers").get(0).path("digest").asText(),
        manifest.path("layers").get(0).path("digest").asText());
    Path layer =
        copy.resolve(
            "blobs/sha256/" + manifest.path("layers").get(1).path("digest").asText().substring(7));
    String listing = tarList(layer);
    assertTrue(listing.contains("-rwxr-xr-x app/app"), listing);
    Path dir = Files.createDirectories(tmp.resolve("rebased-x"));
    Cmd.ok("tar", "-xzf", layer.toString(), "-C", dir.toString());
    List<Path> exes = executables(dir);
    assertEquals(2, exes.size());
    for (Path f : exes) {
      String info =
          Cmd.ok(List.of(Fixture.NEW_GO, "version", "-m", f.toString()), null, Fixture.goEnv(null));
      assertTrue(
          info.contains(": " + fixture.newGoVersion + "\n") && info.contains("GOARCH=arm64"), info);
    }
    JsonNode config = blobJson(copy, manifest.path("config").path("digest").asText());
    assertEquals("/usr/local/bin/hello", config.path("config").path("Entrypoint").get(0).asText());
    assertEquals("core", config.path("config").path("Labels").path("org.example.team").asText());
  }

  @Test
  void dockerArchiveOriginal() throws Exception {
    // A docker save tarball of the arm64 image, as crane writes one (its default pull format).
    Path archive = tmp.resolve("app.tar");
    CRANE.ok(
        "pull",
        "--platform",
        "linux/arm64",
        REGISTRY.host() + "/example/app:v1.0.0",
        archive.toString());
    ImageContext ctx = context(Set.of(), true);
    ImageResult r =
        rebuilder(ImageListener.NONE)
            .rebuild(
                ImageSpec.replace(
                    "docker-archive:" + archive,
                    REGISTRY.host() + "/example/archive",
                    List.of("t")),
                fixture.rebuilt,
                ctx);
    assertEquals(
        List.of(Platform.parse("linux/arm64")),
        r.platforms().stream().map(PlatformImage::platform).toList());
    assertEquals(
        List.of("/usr/local/bin/hello", "/usr/local/bin/world"),
        r.platforms().get(0).replacedPaths());
    // Independently read: crane pushes the layout's "t" and the registry checks every blob.
    push(ctx.outputDir(), "t", "example/archive-check:t");
    assertEquals(r.digest(), digestOf("example/archive-check:t"));
  }

  static JsonNode blobJson(Path layout, String digest) throws IOException {
    return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring(7)).toFile());
  }

  static List<Path> executables(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        try (InputStream in = Files.newInputStream(p)) {
          byte[] m = in.readNBytes(4);
          if (m.length == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F') {
            out.add(p);
          }
        }
      }
    }
    return out;
  }
}
