package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_21;
import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.demoRepository;
import static dev.rebuild.core.testing.GoFixtures.git;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.provenance.KeySigner;
import dev.rebuild.core.provenance.OpenVex;
import dev.rebuild.core.provenance.ProvenanceCheck;
import dev.rebuild.core.provenance.Signer;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.OriginalRelease;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.stage.VerificationSettings;
import dev.rebuild.core.stage.VerifyStage;
import dev.rebuild.core.testing.Govulncheck;
import dev.rebuild.core.testing.JsonSchemas;
import dev.rebuild.core.testing.RecordingReleaseListener;
import dev.rebuild.core.testing.TestKeys;
import dev.rebuild.core.testing.TestTools;
import dev.rebuild.core.vuln.FailOn;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance, VEX and their signatures on a real release: an original built with Go 1.21, rebuilt
 * with Go 1.22 and verified against it, every document checked by an independent reader (the JSON
 * schemas, {@code sha256sum}, {@code git}, {@code go version -m}, {@code govulncheck}, {@code
 * cosign verify-blob-attestation}).
 */
class ProvenanceReleaseTest {

  @TempDir static Path shared;
  static Path repo;
  static String tagCommit;
  static Path originalDist;
  static KeyPair key;
  static Path publicKey;

  static final Path VULNDB = Path.of("src/test/resources/vulndb-fixture").toAbsolutePath();
  static final String TARGETS = "linux/amd64,windows/amd64";
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void original() throws Exception {
    requireGo(GO_1_21);
    requireGo(GO_1_22);
    repo = shared.resolve("repo");
    tagCommit = demoRepository(repo);
    Path out = shared.resolve("original");
    ReleasePipelineTest.go121 = requireGo(GO_1_21);
    ReleasePipelineTest.go122 = requireGo(GO_1_22);
    ReleasePipelineTest.pipeline(new ArrayList<>()).release(request(GO_1_21, out));
    originalDist = out.resolve("v1.0.0/dist");
    key = TestKeys.p256();
    publicKey =
        Files.writeString(
            shared.resolve("rebuild.pub"),
            TestKeys.pem("PUBLIC KEY", key.getPublic().getEncoded()));
  }

  static RebuildRequest request(String go, Path out) {
    return new RebuildRequest(
        repo.toString(),
        "v1.0.0",
        go,
        ReleasePipelineTest.recipe(TARGETS, ReleasePipelineTest.NSQ_STYLE),
        out,
        2);
  }

  static ReleaseOptions options(Signer signer) {
    VerificationSettings settings =
        new VerificationSettings(originalDist.toString(), GO_1_21, VULNDB.toString(), FailOn.NONE);
    return new ReleaseOptions(
            new VerifyStage(
                settings,
                new OriginalRelease(originalDist.toString(), GO_1_21, HttpClient.newHttpClient())),
            null,
            null,
            false)
        .withProvenance(
            new ProvenanceStage(signer, "0.1.0-test", null)
                .withDocument(ProvenanceStage.sbom("0.1.0-test")));
  }

  @Test
  void signedProvenanceAndVexAgreeWithIndependentReadersAndCosignVerifiesThem(@TempDir Path out)
      throws Exception {
    Signer signer = KeySigner.fromPem(TestKeys.pem("PRIVATE KEY", key.getPrivate().getEncoded()));
    List<String> log = new ArrayList<>();
    RebuildResult result =
        ReleasePipelineTest.pipeline(log).release(request(GO_1_22, out), options(signer));
    Path dist = result.dist();
    String linux = "demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz";
    String windows = "demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip";
    String vex = "demo-v1.0.0-go" + GO_1_22 + ".openvex.json";
    assertEquals(
        Stream.of(
                linux,
                linux + ".cdx.json",
                linux + ".intoto.jsonl",
                vex,
                vex + ".intoto.jsonl",
                windows,
                windows + ".cdx.json",
                windows + ".intoto.jsonl")
            .sorted()
            .toList(),
        list(dist));
    assertTrue(log.contains("signing provenance and VEX with the ECDSA P-256 key"), log.toString());
    // Every file of dist/ is in SHA256SUMS, and sha256sum agrees.
    String checked = run(dist, Map.of("LC_ALL", "C"), "sha256sum", "-c", "../SHA256SUMS");
    assertEquals(8, checked.lines().filter(l -> l.endsWith(": OK")).count(), checked);
    // The SBOM plugged into the stage: next to its archive, naming it by digest.
    JsonNode sbom = JSON.readTree(dist.resolve(linux + ".cdx.json").toFile());
    assertEquals("CycloneDX", sbom.path("bomFormat").asText());
    assertTrue(
        sbom.path("metadata").path("component").toString().contains(sha256sum(dist.resolve(linux))),
        sbom.path("metadata").toString());

    Path x = extract(dist, linux, windows);
    Map<String, Set<String>> rebuiltVulns = new TreeMap<>();
    for (String archive : List.of(linux, windows)) {
      JsonNode envelope = JSON.readTree(Files.readString(dist.resolve(archive + ".intoto.jsonl")));
      assertEquals("application/vnd.in-toto+json", envelope.path("payloadType").asText());
      String payload =
          new String(
              Base64.getDecoder().decode(envelope.path("payload").asText()),
              StandardCharsets.UTF_8);
      JsonSchemas.assertValid(JsonSchemas.IN_TOTO_STATEMENT, payload);
      JsonNode statement = JSON.readTree(payload);
      JsonSchemas.assertValid(JsonSchemas.SLSA_PROVENANCE, statement.path("predicate").toString());
      assertEquals("https://slsa.dev/provenance/v1", statement.path("predicateType").asText());
      assertEquals(archive, statement.path("subject").path(0).path("name").asText());
      assertEquals(
          sha256sum(dist.resolve(archive)),
          statement.path("subject").path(0).path("digest").path("sha256").asText());
      JsonNode build = statement.path("predicate").path("buildDefinition");
      assertEquals(
          "https://rebuild.dev/buildtypes/go-security-rebuild/v1",
          build.path("buildType").asText());
      assertEquals("v1.0.0", build.path("externalParameters").path("tag").asText());
      assertEquals(GO_1_22, build.path("externalParameters").path("go").asText());
      Map<String, JsonNode> deps = new TreeMap<>();
      build.path("resolvedDependencies").forEach(d -> deps.put(d.path("name").asText(), d));
      assertEquals(
          git(repo, "rev-parse", "v1.0.0^{commit}").trim(),
          deps.get("source").path("digest").path("gitCommit").asText());
      // What Go itself reads from the binaries: the Go and the commit the provenance records.
      for (Path bin : binaries(x.resolve(archive))) {
        String m =
            run(
                x,
                Map.of(),
                TestTools.machineGoCommand().toString(),
                "version",
                "-m",
                bin.toString());
        assertTrue(
            m.contains(
                ": " + deps.get("toolchain").path("annotations").path("version").asText() + "\n"),
            m);
        assertTrue(
            m.contains(
                "vcs.revision=" + deps.get("source").path("digest").path("gitCommit").asText()),
            m);
        rebuiltVulns.put(archive + "!" + bin.getFileName(), govulncheck(bin));
      }
      String original = archive.replace("go" + GO_1_22, "go" + GO_1_21);
      assertEquals(
          sha256sum(originalDist.resolve(original)),
          deps.get("original:" + original).path("digest").path("sha256").asText(),
          deps.keySet().toString());
      // Only the original this archive was compared with.
      assertEquals(
          List.of("original:" + original),
          deps.keySet().stream().filter(k -> k.startsWith("original:")).toList());
      JsonNode byproduct =
          statement.path("predicate").path("runDetails").path("byproducts").path(0);
      assertEquals("verification-report.md", byproduct.path("name").asText());
      assertEquals(
          sha256sum(out.resolve("v1.0.0/verification-report.md")),
          byproduct.path("digest").path("sha256").asText());
      assertTrue(statement.path("predicate").path("runDetails").path("metadata").isMissingNode());

      CosignResult c =
          cosign(dist.resolve(archive + ".intoto.jsonl"), "slsaprovenance1", dist.resolve(archive));
      assertEquals(0, c.exit(), c.output());
    }
    // A provenance does not vouch for another artifact.
    CosignResult wrong =
        cosign(dist.resolve(linux + ".intoto.jsonl"), "slsaprovenance1", dist.resolve(windows));
    assertNotEquals(0, wrong.exit(), wrong.output());

    // The VEX: valid OpenVEX, "fixed" exactly for what govulncheck finds in the original binaries
    // and not in the rebuilt ones, and signed.
    String vexJson = Files.readString(dist.resolve(vex));
    JsonSchemas.assertValid(JsonSchemas.OPENVEX, vexJson);
    Path ox =
        extract(originalDist, linux.replace(GO_1_22, GO_1_21), windows.replace(GO_1_22, GO_1_21));
    Set<String> expectedFixed = new TreeSet<>();
    Map<String, Set<String>> fixedPerArchive = new TreeMap<>();
    for (Map.Entry<String, Set<String>> e : rebuiltVulns.entrySet()) {
      String[] parts = e.getKey().split("!");
      Path originalBin =
          binaries(ox.resolve(parts[0].replace(GO_1_22, GO_1_21))).stream()
              .filter(p -> p.getFileName().toString().equals(parts[1]))
              .findFirst()
              .orElseThrow();
      Set<String> fixed = new TreeSet<>(govulncheck(originalBin));
      fixed.removeAll(e.getValue());
      expectedFixed.addAll(fixed);
      fixedPerArchive.computeIfAbsent(parts[0], k -> new TreeSet<>()).addAll(fixed);
    }
    assertFalse(expectedFixed.isEmpty(), "the fixture should have stdlib entries Go 1.22 fixes");
    JsonNode doc = JSON.readTree(vexJson);
    assertEquals(result.manifest().commitTime(), doc.path("timestamp").asText());
    Set<String> fixedIds = new TreeSet<>();
    Set<String> affectedIds = new TreeSet<>();
    for (JsonNode s : doc.path("statements")) {
      List<String> products = new ArrayList<>();
      s.path("products").forEach(p -> products.add(p.path("@id").asText()));
      if (s.path("status").asText().equals("fixed")) {
        fixedIds.add(s.path("vulnerability").path("name").asText());
        assertTrue(
            products.stream()
                .allMatch(
                    p ->
                        p.equals(purl(result.manifest(), linux, sha256sum(dist.resolve(linux))))
                            || p.equals(
                                purl(
                                    result.manifest(), windows, sha256sum(dist.resolve(windows))))),
            products.toString());
      } else {
        assertEquals("affected", s.path("status").asText());
        affectedIds.add(s.path("vulnerability").path("name").asText());
        assertTrue(
            s.path("action_statement").asText().contains("v1.0.0-go" + GO_1_22), s.toString());
        for (String p : products) {
          assertTrue(p.contains("go" + GO_1_21) && p.contains("checksum=sha256:"), p);
        }
      }
    }
    assertEquals(expectedFixed, fixedIds);
    assertEquals(expectedFixed, affectedIds);
    // OpenVEX's own library (go-vex) reads it the same way: the statement in effect for a rebuilt
    // archive is "fixed" exactly for what govulncheck finds fixed in its binaries, and for its
    // original "affected"; for the others there is none.
    List<String> args =
        new ArrayList<>(List.of(TestTools.vexcheck().toString(), dist.resolve(vex).toString()));
    StringBuilder want = new StringBuilder();
    for (String id : expectedFixed) {
      for (String archive : List.of(linux, windows)) {
        String rebuilt = purl(result.manifest(), archive, sha256sum(dist.resolve(archive)));
        String original = archive.replace("go" + GO_1_22, "go" + GO_1_21);
        String before =
            purl(result.manifest(), original, sha256sum(originalDist.resolve(original)));
        boolean fixedHere = fixedPerArchive.getOrDefault(archive, Set.of()).contains(id);
        args.add(rebuilt + "=" + id);
        args.add(before + "=" + id);
        want.append(rebuilt + " " + id + " " + (fixedHere ? "fixed" : "none") + "\n");
        want.append(before + " " + id + " " + (fixedHere ? "affected" : "none") + "\n");
      }
    }
    assertEquals(want.toString(), run(dist, Map.of(), args.toArray(String[]::new)));
    CosignResult v =
        cosign(dist.resolve(vex + ".intoto.jsonl"), OpenVex.PREDICATE_TYPE, dist.resolve(linux));
    assertEquals(0, v.exit(), v.output());

    // Recorded in the manifest, and checked before publishing: a changed provenance is refused.
    List<ReleaseManifest.Attachment> attachments = result.manifest().attachments();
    assertEquals(6, attachments.size(), attachments.toString());
    // Every in-toto statement is signed; the plain VEX and the SBOMs are for their own readers.
    for (ReleaseManifest.Attachment a : attachments) {
      assertEquals(a.path().endsWith(".intoto.jsonl"), a.signed(), a.toString());
      assertEquals(
          a.signed()
              ? "application/vnd.dsse.envelope.v1+json"
              : a.kind().equals("sbom")
                  ? "application/vnd.cyclonedx+json"
                  : "application/openvex+json",
          a.mediaType());
    }
    Files.writeString(dist.resolve(linux + ".intoto.jsonl"), "{}\n");
    RebuildException changed =
        assertThrows(
            RebuildException.class,
            () ->
                ReleasePipeline.publisher(new RecordingReleaseListener(new ArrayList<>()))
                    .publish(result.outputDirectory(), ImageStage.Registries.DEFAULT));
    assertTrue(
        changed.getMessage().contains(linux + ".intoto.jsonl has sha256"), changed.getMessage());
  }

  @Test
  void unsignedDocumentsAreSaidSoAndTheSameRebuildWritesTheSameBytes(@TempDir Path out)
      throws Exception {
    List<String> log = new ArrayList<>();
    RebuildResult first =
        ReleasePipelineTest.pipeline(log).release(request(GO_1_22, out), options(null));
    assertTrue(
        log.stream()
            .anyMatch(l -> l.startsWith("provenance and VEX are unsigned: no rebuild.signingKey")),
        log.toString());
    Map<String, byte[]> before = contents(first.dist());
    byte[] manifest = Files.readAllBytes(first.manifestFile());
    for (String name : before.keySet()) {
      if (name.endsWith(".intoto.jsonl")) {
        String line = new String(before.get(name), StandardCharsets.UTF_8);
        assertEquals(1, line.lines().count());
        JsonSchemas.assertValid(JsonSchemas.IN_TOTO_STATEMENT, line);
      }
    }
    assertFalse(before.keySet().stream().anyMatch(n -> n.endsWith(".openvex.json.intoto.jsonl")));
    assertTrue(
        first.manifest().attachments().stream().noneMatch(ReleaseManifest.Attachment::signed));

    RebuildResult second =
        ReleasePipelineTest.pipeline(new ArrayList<>())
            .release(request(GO_1_22, out), options(null));
    Map<String, byte[]> after = contents(second.dist());
    assertEquals(before.keySet(), after.keySet());
    for (String name : before.keySet()) {
      assertArrayEquals(before.get(name), after.get(name), name);
    }
    assertArrayEquals(manifest, Files.readAllBytes(second.manifestFile()));
  }

  @Test
  void theVerificationOfAProvenanceAcceptsTheRebuildAndNothingElse(@TempDir Path out)
      throws Exception {
    RebuildResult r =
        ReleasePipelineTest.pipeline(new ArrayList<>())
            .release(request(GO_1_22, out), options(null));
    String linux = "demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz";
    String windows = "demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip";
    ArtifactScanner scanner = new ArtifactScanner(out);
    ProvenanceCheck check = ProvenanceCheck.read(r.dist().resolve(linux + ".intoto.jsonl"));
    List<ProvenanceCheck.Result> ok = check.check(r.dist().resolve(linux), scanner);
    assertEquals(
        5, ok.size(), ok.toString()); // subject, and per binary (2) go-version, vcs.revision
    assertTrue(ok.stream().allMatch(ProvenanceCheck.Result::passed), ok.toString());

    List<ProvenanceCheck.Result> other = check.check(r.dist().resolve(windows), scanner);
    assertEquals(1, other.size());
    assertFalse(other.get(0).passed());
    assertTrue(other.get(0).message().contains("is no subject of"), other.toString());

    List<ProvenanceCheck.Result> original =
        check.check(originalDist.resolve(linux.replace(GO_1_22, GO_1_21)), scanner);
    assertFalse(original.get(0).passed());

    // The original's binaries under the rebuild's provenance, by a statement naming their digest:
    // the Go recorded differs from what the binaries say.
    Path forged = out.resolve("forged.intoto.jsonl");
    String line = Files.readString(r.dist().resolve(linux + ".intoto.jsonl"));
    Path originalArchive = originalDist.resolve(linux.replace(GO_1_22, GO_1_21));
    Files.writeString(
        forged, line.replace(sha256sum(r.dist().resolve(linux)), sha256sum(originalArchive)));
    List<ProvenanceCheck.Result> mismatch =
        ProvenanceCheck.read(forged).check(originalArchive, scanner);
    assertTrue(mismatch.get(0).passed());
    assertTrue(
        mismatch.stream()
            .anyMatch(
                c ->
                    c.check().equals("go-version")
                        && !c.passed()
                        && c.message().contains("built with go" + GO_1_21)),
        mismatch.toString());

    Path garbage = Files.writeString(out.resolve("x.intoto.jsonl"), "{\"_type\":\"something\"}\n");
    RebuildException e = assertThrows(RebuildException.class, () -> ProvenanceCheck.read(garbage));
    assertEquals("provenance", e.parameter());
    assertTrue(e.getMessage().contains("not an in-toto v1 statement"), e.getMessage());
  }

  static String purl(ReleaseManifest m, String name, String sha) {
    return OpenVex.archivePurl(m, name, sha);
  }

  static List<String> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static Map<String, byte[]> contents(Path dir) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : list(dir)) {
      out.put(name, Files.readAllBytes(dir.resolve(name)));
    }
    return out;
  }

  static String sha256sum(Path file) {
    return run(file.getParent(), Map.of(), "sha256sum", file.getFileName().toString())
        .split(" ")[0];
  }

  /** Unpacks each archive into a directory of its name, with tar and python's zipfile. */
  static Path extract(Path dist, String tarGz, String zip) throws Exception {
    Path x = Files.createTempDirectory(shared, "x");
    Path t = Files.createDirectories(x.resolve(tarGz));
    run(t, Map.of(), "tar", "xzf", dist.resolve(tarGz).toString());
    Path z = Files.createDirectories(x.resolve(zip));
    run(z, Map.of(), "python3", "-m", "zipfile", "-e", dist.resolve(zip).toString(), ".");
    return x;
  }

  static List<Path> binaries(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** The ids govulncheck finds in a binary, against the same database fixture. */
  static Set<String> govulncheck(Path binary) throws Exception {
    Set<String> ids = new TreeSet<>();
    Govulncheck.findings(binary, VULNDB, binary.getParent())
        .forEach(f -> ids.add(f.path("osv").asText()));
    return ids;
  }

  record CosignResult(int exit, String output) {}

  static CosignResult cosign(Path envelope, String type, Path blob) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                TestTools.tool("cosign").toString(),
                "verify-blob-attestation",
                "--key",
                publicKey.toString(),
                "--signature",
                envelope.toString(),
                "--type",
                type,
                "--insecure-ignore-tlog=true",
                "--offline=true",
                blob.toString())
            .redirectErrorStream(true);
    pb.environment().put("HOME", shared.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new CosignResult(p.waitFor(), output);
  }
}
