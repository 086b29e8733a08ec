package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_21;
import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.image.Fixture;
import dev.rebuild.core.image.TestRegistry;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.OriginalRelease;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.stage.VerificationSettings;
import dev.rebuild.core.stage.VerifyStage;
import dev.rebuild.core.testing.ItSupport;
import dev.rebuild.core.testing.JsonSchemas;
import dev.rebuild.core.vuln.FailOn;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuilt image gets its provenance under {@code attestations/}, its subject the image's digest
 * as its OCI layout names it, recorded in the manifest for the referrer push, checked before
 * publishing.
 */
class ProvenanceImageTest {

  @RegisterExtension static final TestRegistry REGISTRY = TestRegistry.open();

  @TempDir Path tmp;

  @Test
  void theImageProvenanceNamesTheRebuiltImageByDigest() throws Exception {
    Path goroot = requireGo(GO_1_22);
    Fixture fixture = Fixture.get();
    Path appRepo = CrashChild.tagged(fixture.module(), tmp.resolve("app"), "v1.0.0");
    Path original =
        fixture.writeOriginal(tmp.resolve("original"), "v1.0.0", List.of("hello", "world"));
    ImageStage images =
        CrashChild.layoutImage(
            original,
            "v1.0.0",
            REGISTRY.host() + "/demo/app",
            List.of(),
            CrashChild.registries(REGISTRY.host()));
    // The original release's binaries, built with Go 1.21, for the verification and the VEX.
    Path originalOut = tmp.resolve("original-release");
    CrashChild.pipeline(requireGo(GO_1_21), new CrashChild.Events(l -> {}))
        .release(
            CrashChild.request(
                appRepo.toString(),
                "v1.0.0",
                GO_1_21,
                "-X main.version={version}",
                "linux/amd64",
                originalOut),
            ReleaseOptions.plain());
    String originalDist = originalOut.resolve("v1.0.0/dist").toString();
    VerifyStage verify =
        new VerifyStage(
            new VerificationSettings(
                originalDist, GO_1_21, ProvenanceReleaseTest.VULNDB.toString(), FailOn.NONE),
            new OriginalRelease(originalDist, GO_1_21, HttpClient.newHttpClient()));
    Path out = tmp.resolve("out");
    RebuildResult r =
        CrashChild.pipeline(goroot, new CrashChild.Events(l -> {}))
            .release(
                CrashChild.request(
                    appRepo.toString(),
                    "v1.0.0",
                    GO_1_22,
                    "-X main.version={version}",
                    "linux/amd64",
                    out),
                new ReleaseOptions(verify, images, null, true)
                    .withProvenance(ProvenanceStage.unsigned("0.1.0-test")));
    ReleaseManifest.Image image = r.manifest().images().get(0);
    List<ReleaseManifest.Attachment> forImage =
        r.manifest().attachments().stream().filter(a -> a.image() != null).toList();
    assertEquals(
        List.of("provenance", "vex"),
        forImage.stream().map(ReleaseManifest.Attachment::kind).toList(),
        r.manifest().attachments().toString());
    ReleaseManifest.Attachment a = forImage.get(0);
    assertEquals(image.reference(), a.image());
    assertEquals(image.digest(), a.subject());
    assertEquals("attestations/" + image.layout() + "/provenance.intoto.jsonl", a.path());
    Path dir = r.outputDirectory();
    Path file = dir.resolve(a.path());

    String statement = Files.readString(file);
    JsonSchemas.assertValid(JsonSchemas.IN_TOTO_STATEMENT, statement);
    JsonNode st = new ObjectMapper().readTree(statement);
    JsonSchemas.assertValid(JsonSchemas.SLSA_PROVENANCE, st.path("predicate").toString());
    assertEquals(REGISTRY.host() + "/demo/app", st.path("subject").path(0).path("name").asText());
    // The original image it was rebuilt from, by digest.
    JsonNode originalDep = null;
    for (JsonNode d : st.path("predicate").path("buildDefinition").path("resolvedDependencies")) {
      if (d.path("name").asText().equals("original:" + image.original())) {
        originalDep = d;
      }
    }
    assertEquals(
        image.originalDigest(), "sha256:" + originalDep.path("digest").path("sha256").asText());
    // The digest the image's OCI layout gives its main tag, read with python's json module.
    String indexDigest =
        run(
                dir,
                Map.of(),
                "python3",
                "-c",
                "import json,sys; i=json.load(open(sys.argv[1]));"
                    + " print([m['digest'] for m in i['manifests']"
                    + " if m.get('annotations',{}).get('org.opencontainers.image.ref.name')"
                    + " == 'v1.0.0-go"
                    + GO_1_22
                    + "'][0])",
                dir.resolve(image.layout()).resolve("index.json").toString())
            .strip();
    assertEquals(
        indexDigest, "sha256:" + st.path("subject").path(0).path("digest").path("sha256").asText());
    assertEquals(run(dir, Map.of(), "sha256sum", a.path()).split(" ")[0], a.sha256());

    // The VEX names the rebuilt image by its digest as fixed, the original image as affected.
    ReleaseManifest.Attachment vex = forImage.get(1);
    assertEquals("attestations/" + image.layout() + "/openvex.json", vex.path());
    String vexJson = Files.readString(dir.resolve(vex.path()));
    JsonSchemas.assertValid(JsonSchemas.OPENVEX, vexJson);
    JsonNode doc = new ObjectMapper().readTree(vexJson);
    String rebuiltPurl =
        "pkg:oci/app@"
            + image.digest().replace(":", "%3A")
            + "?repository_url="
            + REGISTRY.host()
            + "/demo/app";
    boolean fixed = false;
    boolean affected = false;
    for (JsonNode s : doc.path("statements")) {
      for (JsonNode p : s.path("products")) {
        fixed |=
            s.path("status").asText().equals("fixed") && p.path("@id").asText().equals(rebuiltPurl);
        affected |=
            s.path("status").asText().equals("affected")
                && p.path("hashes")
                    .path("sha-256")
                    .asText()
                    .equals(image.originalDigest().substring(7));
      }
    }
    assertTrue(fixed && affected, vexJson);

    // The image document is not a dist/ file: SHA256SUMS lists the artifacts and their provenance.
    String sums = Files.readString(dir.resolve("SHA256SUMS"));
    assertTrue(!sums.contains("attestations"), sums);

    // Published: the image's SBOM, provenance and VEX are its referrers, as oras lists them.
    ReleasePipeline.publisher(new CrashChild.Events(new ArrayList<String>()::add))
        .publish(dir, CrashChild.registries(REGISTRY.host()));
    Map<String, String> referrers =
        ItSupport.orasReferrers(
            tmp.resolve("oras").toFile(), REGISTRY.host() + "/demo/app@" + image.digest());
    assertEquals(
        List.of(
            "application/openvex+json",
            "application/vnd.cyclonedx+json",
            "application/vnd.in-toto+json"),
        referrers.values().stream().sorted().toList(),
        referrers.toString());

    Files.writeString(file, "{}\n");
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                ReleasePipeline.publisher(new CrashChild.Events(new ArrayList<String>()::add))
                    .publish(dir, CrashChild.registries(REGISTRY.host())));
    assertTrue(e.getMessage().contains("provenance.intoto.jsonl has sha256"), e.getMessage());
  }
}
