package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.git;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.image.Fixture;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.testing.JsonSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuilt image gets its provenance under {@code attestations/}, its subject the image's digest
 * as its OCI layout names it, recorded in the manifest for the referrer push, checked before
 * publishing.
 */
class ProvenanceImageTest {

  @TempDir Path tmp;

  @Test
  void theImageProvenanceNamesTheRebuiltImageByDigest() throws Exception {
    Path goroot = requireGo(GO_1_22);
    Fixture fixture = Fixture.get();
    Path appRepo = tmp.resolve("app");
    PartsMergeTest.copyTree(fixture.module(), appRepo);
    git(appRepo, "init", "-q", "-b", "main");
    git(appRepo, "add", "-A");
    git(appRepo, "commit", "-q", "-m", "app 1.0.0");
    git(appRepo, "tag", "v1.0.0");
    Path original =
        fixture.writeOriginal(tmp.resolve("original"), "v1.0.0", List.of("hello", "world"));
    ImageStage images =
        new ImageStage(
            List.of(
                ImageStage.ImageTemplate.parse(
                    "oci-layout:" + original + ":v1.0.0",
                    "registry.example.org/demo/app",
                    List.of(),
                    null,
                    null,
                    "linux/amd64")),
            ImageStage.Registries.DEFAULT);
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
                new ReleaseOptions(null, images, null, true)
                    .withProvenance(ProvenanceStage.unsigned("0.1.0-test")));
    ReleaseManifest.Image image = r.manifest().images().get(0);
    List<ReleaseManifest.Attachment> forImage =
        r.manifest().attachments().stream().filter(a -> a.image() != null).toList();
    assertEquals(1, forImage.size(), r.manifest().attachments().toString());
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
    assertEquals("registry.example.org/demo/app", st.path("subject").path(0).path("name").asText());
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

    // The image document is not a dist/ file: SHA256SUMS lists the artifacts and their provenance.
    String sums = Files.readString(dir.resolve("SHA256SUMS"));
    assertTrue(!sums.contains("attestations"), sums);

    Files.writeString(file, "{}\n");
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                ReleasePipeline.publisher(new CrashChild.Events(new ArrayList<String>()::add))
                    .publish(dir, ImageStage.Registries.DEFAULT));
    assertTrue(e.getMessage().contains("provenance.intoto.jsonl has sha256"), e.getMessage());
  }
}
