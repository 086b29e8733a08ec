package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.packageurl.PackageURL;
import dev.rebuild.core.image.LayoutPusher.PushResult;
import dev.rebuild.core.image.LayoutPusher.PushSettings;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.sbom.SbomWriter;
import dev.rebuild.core.testing.ItSupport;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents attached to a rebuilt image in its OCI layout are pushed as OCI referrers of the
 * image's digest, and {@code oras discover} (built from the module proxy) lists them: through the
 * referrers API of go-containerregistry's registry (what {@code crane registry serve} runs, with
 * referrers on), and through the fallback tag scheme on distribution's registry, which has no
 * referrers API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferrersTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SBOM_TYPE = "application/vnd.cyclonedx+json";
  static final String PROVENANCE_TYPE = "application/vnd.in-toto+json";
  static final String TAG = "v1.0.0-rebuild";

  /** distribution's registry: no referrers API. */
  @RegisterExtension static final TestRegistry DISTRIBUTION = TestRegistry.open();

  Process apiRegistry;
  String apiHost;
  Path layout;
  ImageResult built;
  byte[] sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}\n".getBytes();
  byte[] provenance = "{\"_type\":\"https://in-toto.io/Statement/v1\"}\n".getBytes();
  String sbomRef;
  String provenanceRef;
  @TempDir Path tmp;

  @BeforeAll
  void setUp(@TempDir Path dir) throws Exception {
    apiHost = startReferrersRegistry(dir.resolve("crane-registry.log"));
    Fixture fixture = Fixture.get();
    Path original =
        fixture.writeOriginal(dir.resolve("original"), "v1.0.0", List.of("hello", "world"));
    layout = dir.resolve("built");
    built =
        new ImageRebuilder(new GoBuildInfoIdentifier(), ImageListener.NONE)
            .build(
                ImageSpec.replace(
                    "oci-layout:" + original + ":v1.0.0", "example.test/app", List.of(TAG)),
                fixture.rebuilt,
                new ImageContext(
                    "1.0.0",
                    "0123456789abcdef0123456789abcdef01234567",
                    Instant.parse("2024-05-01T12:00:00Z"),
                    fixture.newGoVersion,
                    Set.of(),
                    Set.of(),
                    true,
                    layout,
                    CredentialSource.NONE));
    sbomRef =
        Referrers.attach(
            layout,
            built.digest(),
            new Referrers.Attachment(
                SBOM_TYPE,
                "sbom.cdx.json",
                sbom,
                new TreeMap<>(Map.of(Referrers.CREATED, "2024-05-01T12:00:00Z"))));
    provenanceRef =
        Referrers.attach(
            layout,
            built.digest(),
            new Referrers.Attachment(PROVENANCE_TYPE, "provenance.intoto.json", provenance, null));
  }

  @AfterAll
  void stopReferrersRegistry() throws InterruptedException {
    if (apiRegistry != null) {
      apiRegistry.destroy();
      apiRegistry.waitFor();
    }
  }

  PushResult push(String host, String repo) throws ImageException {
    return push(host, repo, null);
  }

  PushResult push(String host, String repo, Set<String> recorded) throws ImageException {
    return new LayoutPusher(RegistryClientFactory.DEFAULT, ImageListener.NONE)
        .push(
            layout,
            TAG,
            new ImageReference(host, repo, null, null),
            List.of(TAG),
            new PushSettings(CredentialSource.NONE, Set.of(host), Set.of(), List.of()),
            recorded,
            List.of());
  }

  /**
   * Documents kept outside the layout (the provenance stage's files) are pushed as the same
   * referrers {@link Referrers#attach} would have written, next to the layout's.
   */
  @Test
  void documentsFromOutsideTheLayoutArePushedAsTheSameReferrers() throws Exception {
    byte[] vex = "{\"@context\":\"https://openvex.dev/ns/v0.2.0\"}\n".getBytes();
    Referrers.Attachment doc =
        new Referrers.Attachment("application/vnd.openvex+json", "release.openvex.json", vex, null);
    Path copy = tmp.resolve("copy");
    Cmd.ok("cp", "-r", layout.toString(), copy.toString());
    String inLayout = Referrers.attach(copy, built.digest(), doc);
    String host = DISTRIBUTION.host();
    PushResult r =
        new LayoutPusher(RegistryClientFactory.DEFAULT, ImageListener.NONE)
            .push(
                layout,
                TAG,
                new ImageReference(host, "outside/app", null, null),
                List.of(TAG),
                new PushSettings(CredentialSource.NONE, Set.of(host), Set.of(), List.of()),
                Set.of(sbomRef, provenanceRef),
                List.of(doc));
    assertEquals(
        new TreeSet<>(List.of(sbomRef, provenanceRef, inLayout)), new TreeSet<>(r.referrers()));
    assertEquals(
        Map.of(
            sbomRef,
            SBOM_TYPE,
            provenanceRef,
            PROVENANCE_TYPE,
            inLayout,
            "application/vnd.openvex+json"),
        orasDiscover(host + "/outside/app@" + built.digest()));
    assertFalse(
        Files.exists(layout.resolve("blobs/sha256/" + Digest.of(vex).hex())), "layout unchanged");
  }

  /** A layout whose attached documents are not the recorded ones was changed: nothing is sent. */
  @Test
  void aDocumentTheManifestDoesNotRecordIsRefusedBeforeAnythingIsPushed() {
    ImageException e =
        assertThrows(
            ImageException.class,
            () -> push(DISTRIBUTION.host(), "unrecorded/app", Set.of(sbomRef)));
    assertTrue(e.getMessage().contains("not recorded: [" + provenanceRef + "]"), e.getMessage());
    assertTrue(e.getMessage().contains("the OCI layout was changed"), e.getMessage());
    assertFalse(
        Crane.anonymous().ok("catalog", DISTRIBUTION.host()).contains("unrecorded"),
        "nothing was pushed");
  }

  @Test
  void attachingIsDeterministicAndAListedLayoutEntry() throws Exception {
    String again =
        Referrers.attach(
            layout,
            built.digest(),
            new Referrers.Attachment(PROVENANCE_TYPE, "provenance.intoto.json", provenance, null));
    assertEquals(provenanceRef, again, "the same document is the same referrer");
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    List<String> unnamed = new ArrayList<>();
    for (JsonNode d : index.path("manifests")) {
      if (!d.path("annotations").has("org.opencontainers.image.ref.name")) {
        unnamed.add(d.path("digest").asText() + " " + d.path("artifactType").asText());
      }
    }
    assertEquals(
        new TreeSet<>(List.of(sbomRef + " " + SBOM_TYPE, provenanceRef + " " + PROVENANCE_TYPE)),
        new TreeSet<>(unnamed));
    JsonNode m = JSON.readTree(layout.resolve("blobs/sha256/" + sbomRef.substring(7)).toFile());
    assertEquals(SBOM_TYPE, m.path("artifactType").asText());
    assertEquals(built.digest(), m.path("subject").path("digest").asText());
    assertEquals(Referrers.EMPTY_MEDIA_TYPE, m.path("config").path("mediaType").asText());
    assertEquals(Digest.of(sbom).toString(), m.path("layers").get(0).path("digest").asText());
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                Referrers.attach(
                    layout,
                    "sha256:" + "0".repeat(64),
                    new Referrers.Attachment(SBOM_TYPE, "x.cdx.json", sbom, null)));
    assertTrue(e.getMessage().contains("is not in the OCI layout"), e.getMessage());
  }

  /** The image's SBOM names each rebuilt binary at the path the image has it, per platform. */
  @Test
  void theImageSbomNamesEveryRebuiltBinaryAtItsPath() throws Exception {
    List<SbomWriter.Binary> binaries = new ArrayList<>();
    Map<String, String> expected = new TreeMap<>();
    for (PlatformImage p : built.platforms()) {
      assertEquals(p.replacedPaths(), List.copyOf(p.binaries().keySet()));
      for (Map.Entry<String, Path> b : p.binaries().entrySet()) {
        binaries.add(SbomWriter.Binary.read(b.getValue(), b.getKey()));
        expected.put(
            p.platform().os() + "/" + p.platform().arch() + " " + b.getKey(),
            Digest.of(b.getValue()).hex());
      }
    }
    byte[] bytes =
        SbomWriter.image("example.test/app:" + TAG, built.digest(), "v1.0.0", null, binaries);
    assertEquals(List.of(), new JsonParser().validate(bytes, Version.VERSION_16));
    JsonNode bom = JSON.readTree(bytes);
    assertEquals("container", bom.path("metadata").path("component").path("type").asText());
    Map<String, String> actual = new TreeMap<>();
    for (JsonNode c : bom.path("components")) {
      if (c.path("type").asText().equals("application")) {
        PackageURL purl = new PackageURL(c.path("purl").asText());
        String path = "";
        for (JsonNode prop : c.path("properties")) {
          if (prop.path("name").asText().equals(SbomWriter.PATH)) {
            path = prop.path("value").asText();
          }
        }
        actual.put(
            purl.getQualifiers().get("goos")
                + "/"
                + purl.getQualifiers().get("goarch")
                + " "
                + path,
            c.path("hashes").get(0).path("content").asText());
      }
    }
    assertEquals(expected, actual);
    assertEquals(4, actual.size());
  }

  @Test
  void withoutTheReferrersApiTheFallbackTagListsThem() throws Exception {
    String host = DISTRIBUTION.host();
    PushResult r = push(host, "fallback/app");
    assertEquals(built.digest(), r.digest());
    assertEquals(List.of(Referrers.fallbackTag(built.digest())), r.referrerTags());
    assertEquals(new TreeSet<>(List.of(sbomRef, provenanceRef)), new TreeSet<>(r.referrers()));
    assertEquals(
        Map.of(sbomRef, SBOM_TYPE, provenanceRef, PROVENANCE_TYPE),
        orasDiscover(host + "/fallback/app@" + built.digest()));
    assertEquals(
        new String(sbom, StandardCharsets.UTF_8),
        Crane.anonymous().ok("blob", host + "/fallback/app@" + Digest.of(sbom)));
    PushResult again = push(host, "fallback/app");
    assertFalse(again.uploadedAnything(), "a re-push changes nothing: " + again);
  }

  @Test
  void withTheReferrersApiNoFallbackTagIsWritten() throws Exception {
    assertTrue(referrersApiAnswers(apiHost), "the referrers registry must have the API");
    PushResult r = push(apiHost, "api/app");
    assertEquals(List.of(), r.referrerTags());
    assertEquals(new TreeSet<>(List.of(sbomRef, provenanceRef)), new TreeSet<>(r.referrers()));
    String tags = Crane.anonymous().ok("ls", apiHost + "/api/app");
    assertEquals(List.of(TAG), tags.lines().toList(), "no sha256-<hex> tag next to the API");
    // go-containerregistry's registry reports a referrer's config media type as its artifactType
    // (not the manifest's artifactType field), so only the digests are compared here.
    assertEquals(
        Set.of(sbomRef, provenanceRef),
        orasDiscover(apiHost + "/api/app@" + built.digest()).keySet());
  }

  static boolean referrersApiAnswers(String host) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://" + host + "/v2/none/referrers/sha256:" + "0".repeat(64)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() != 404 || r.body().contains("NAME_UNKNOWN");
  }

  Map<String, String> orasDiscover(String ref) throws IOException {
    return ItSupport.orasReferrers(tmp.resolve("oras-home").toFile(), ref);
  }

  /**
   * go-containerregistry's in-memory registry with its referrers API on, on 127.0.0.1: built from
   * the test resource {@code referrers-registry} (a main of a few lines; its go.sum pins the
   * module) with the machine's Go and the module proxy, by {@link TestTools#tool}.
   */
  String startReferrersRegistry(Path log) throws Exception {
    Path bin = TestTools.tool("referrers-registry");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    apiRegistry =
        new ProcessBuilder(bin.toString(), "--address", host)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      if (!apiRegistry.isAlive()) {
        throw new AssertionError("the referrers registry exited: " + Files.readString(log));
      }
      try {
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding());
        return host;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the referrers registry did not listen on " + host + " within 30 s");
  }
}
