package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.image.Crane;
import dev.rebuild.core.image.Fixture;
import dev.rebuild.core.image.TestRegistry;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.sbom.ArchiveSbom;
import dev.rebuild.core.sbom.SbomWriter;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.testing.ItSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release with an image and the provenance stage: each artifact gets its SBOM in {@code dist/}
 * (listed in SHA256SUMS), the image its SBOM in its layout; publishing pushes the image with its
 * SBOM and its provenance as OCI referrers, which {@code oras discover} lists on distribution's
 * registry (fallback tag scheme).
 */
class ImageAttestationsTest {

  @RegisterExtension static final TestRegistry REGISTRY = TestRegistry.open();
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void theReleaseAndItsImageCarryTheirSbomsAndProvenance() throws Exception {
    Path goroot = requireGo(GO_1_22);
    Fixture fixture = Fixture.get();
    Path appRepo = CrashChild.tagged(fixture.module(), tmp.resolve("app"), "v1.0.0");
    Path original =
        fixture.writeOriginal(tmp.resolve("original"), "v1.0.0", List.of("hello", "world"));
    String repository = REGISTRY.host() + "/attest/app";
    ImageStage.Registries registries = CrashChild.registries(REGISTRY.host());
    ImageStage images =
        CrashChild.layoutImage(original, "v1.0.0", repository, List.of(), registries)
            .withTool("0.1.0-test");
    RebuildResult r =
        CrashChild.pipeline(goroot, new CrashChild.Events(l -> {}))
            .release(
                CrashChild.request(
                    appRepo.toString(),
                    "v1.0.0",
                    GO_1_22,
                    "-X main.version={version}",
                    "linux/amd64",
                    tmp.resolve("out")),
                new ReleaseOptions(null, images, registries, true)
                    .withProvenance(
                        ProvenanceStage.unsigned("0.1.0-test")
                            .withDocument(new ArchiveSbom("0.1.0-test"))));
    Path dir = r.outputDirectory();
    ReleaseManifest manifest = r.manifest();

    // Each dist/ artifact (bare binaries here) has its SBOM, covered by SHA256SUMS.
    String sums =
        run(dir.resolve("dist"), Map.of("LC_ALL", "C"), "sha256sum", "-c", "../SHA256SUMS");
    for (ReleaseManifest.Artifact a : manifest.artifacts()) {
      String name = a.name() + SbomWriter.SUFFIX;
      assertTrue(sums.contains(name + ": OK"), sums);
      byte[] bom = Files.readAllBytes(dir.resolve("dist").resolve(name));
      assertEquals(List.of(), new JsonParser().validate(bom, Version.VERSION_16));
      JsonNode app = JSON.readTree(bom).path("components").get(0);
      assertEquals("application", app.path("type").asText());
      assertEquals(
          run(dir.resolve("dist"), Map.of(), "sha256sum", a.name()).split(" ")[0],
          app.path("hashes").get(0).path("content").asText());
    }
    assertEquals(
        manifest.artifacts().size(),
        manifest.attachments().stream().filter(a -> a.kind().equals("sbom")).count());

    // Published: the image's SBOM (from its layout) and provenance (from attestations/) are
    // referrers of its digest.
    ReleaseManifest.Image image = manifest.images().get(0);
    RebuildResult published =
        ReleasePipeline.publisher(new CrashChild.Events(l -> {})).publish(dir, registries);
    Map<String, String> referrers =
        ItSupport.orasReferrers(
            Files.createDirectories(tmp.resolve("oras")).toFile(),
            repository + "@" + image.digest());
    assertEquals(2, referrers.size(), referrers.toString());
    assertEquals(SbomWriter.MEDIA_TYPE, referrers.get(image.attached().get(0).digest()));
    String provenance =
        referrers.entrySet().stream()
            .filter(e -> e.getValue().equals("application/vnd.in-toto+json"))
            .findFirst()
            .orElseThrow()
            .getKey();
    JsonNode m = JSON.readTree(Crane.anonymous().ok("manifest", repository + "@" + provenance));
    assertEquals(image.digest(), m.path("subject").path("digest").asText());
    ReleaseManifest.Attachment file =
        manifest.attachments().stream()
            .filter(a -> image.digest().equals(a.subject()) && a.kind().equals("provenance"))
            .findFirst()
            .orElseThrow();
    assertArrayEquals(
        Files.readAllBytes(dir.resolve(file.path())),
        Crane.anonymous()
            .ok("blob", repository + "@" + m.path("layers").get(0).path("digest").asText())
            .getBytes(StandardCharsets.UTF_8));
    PublishRecord record = published.published().get(0);
    Map<String, String> items = new TreeMap<>();
    record.items().forEach(i -> items.put(i.digest(), i.kind()));
    assertEquals("referrer", items.get(provenance));
    assertEquals("referrer", items.get(image.attached().get(0).digest()));
  }
}
