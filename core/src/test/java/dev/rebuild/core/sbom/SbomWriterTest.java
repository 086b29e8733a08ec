package dev.rebuild.core.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.packageurl.PackageURL;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.testing.GoFixtures;
import dev.rebuild.core.testing.TestTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SBOM of a real Go binary with real dependencies (from the Go module proxy, one of them
 * replaced), cross-built for linux/arm64, checked against the CycloneDX 1.6 schema, against {@code
 * cyclonedx-gomod bin} reading the same binary, and against the module's go.sum.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SbomWriterTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ARCHIVE_SHA = "ab".repeat(32);

  Path module;
  Path binary;
  SbomWriter.Binary read;
  String goVersion;

  @BeforeAll
  void build(@TempDir Path dir) throws Exception {
    module = Files.createDirectories(dir.resolve("m"));
    Files.writeString(
        module.resolve("go.mod"),
        "module example.com/sbomdemo\n\ngo 1.21\n\n"
            + "require (\n\tgithub.com/google/go-cmp v0.7.0\n\tgithub.com/google/uuid v1.6.0\n"
            + "\tgolang.org/x/sync v0.24.0\n)\n\n"
            + "replace github.com/google/uuid => github.com/google/uuid v1.5.0\n");
    Files.createDirectories(module.resolve("cmd/demo"));
    Files.writeString(
        module.resolve("cmd/demo/main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/google/go-cmp/cmp\"\n"
            + "\t\"github.com/google/uuid\"\n\t\"golang.org/x/sync/errgroup\"\n)\n\n"
            + "func main() {\n\tvar g errgroup.Group\n\tg.Go(func() error { return nil })\n"
            + "\tfmt.Println(cmp.Diff(1, 2), uuid.Nil, g.Wait())\n}\n");
    Map<String, String> env = goEnv();
    String go = TestTools.machineGoCommand().toString();
    GoFixtures.run(module, env, go, "mod", "tidy");
    env.put("GOOS", "linux");
    env.put("GOARCH", "arm64");
    env.put("GOFLAGS", "-mod=mod -buildvcs=false");
    GoFixtures.run(
        module,
        env,
        go,
        "build",
        "-trimpath",
        "-tags=netgo,sbomdemo",
        "-o",
        dir.resolve("demo").toString(),
        "./cmd/demo");
    binary = dir.resolve("demo");
    read = SbomWriter.Binary.read(binary, "demo-1.0.0.linux-arm64/bin/demo");
    goVersion = read.info().goVersion();
  }

  static Map<String, String> goEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "-mod=mod");
    env.put("GOWORK", "off");
    env.put("CGO_ENABLED", "0");
    return env;
  }

  byte[] sbom() {
    return SbomWriter.archive(
        "demo-1.0.0.linux-arm64.tar.gz", ARCHIVE_SHA, "v1.0.0", "0.1.0", List.of(read));
  }

  @Test
  void isValidCycloneDx16WithoutTimeAndWithAContentSerial() throws Exception {
    byte[] bytes = sbom();
    assertEquals(List.of(), new JsonParser().validate(bytes, Version.VERSION_16));
    assertEquals(
        new String(bytes, StandardCharsets.UTF_8),
        new String(sbom(), StandardCharsets.UTF_8),
        "same binaries, same bytes");
    JsonNode bom = JSON.readTree(bytes);
    assertEquals("CycloneDX", bom.path("bomFormat").asText());
    assertEquals("1.6", bom.path("specVersion").asText());
    assertFalse(bom.path("metadata").has("timestamp"), "no clock in the document");
    String serial = bom.path("serialNumber").asText();
    assertTrue(serial.matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab].*"), serial);
    byte[] other =
        SbomWriter.archive(
            "demo-1.0.0.linux-arm64.tar.gz", "cd".repeat(32), "v1.0.0", "0.1.0", List.of(read));
    assertNotEquals(serial, JSON.readTree(other).path("serialNumber").asText());
    JsonNode subject = bom.path("metadata").path("component");
    assertEquals("file", subject.path("type").asText());
    assertEquals(ARCHIVE_SHA, subject.path("hashes").get(0).path("content").asText());
  }

  /** Name, version and hashes of every component cyclonedx-gomod lists: ours has the same set. */
  @Test
  void sameComponentsAsCycloneDxGomodReadingTheBinary() throws Exception {
    Path out = binary.resolveSibling("gomod.cdx.json");
    Map<String, String> env = new HashMap<>(System.getenv());
    // cyclonedx-gomod takes the purls' goos/goarch from `go env`, not from the binary.
    env.put("GOOS", "linux");
    env.put("GOARCH", "arm64");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "");
    GoFixtures.run(
        binary.getParent(),
        env,
        TestTools.tool("cyclonedx-gomod").toString(),
        "bin",
        "-json",
        "-std",
        "-output",
        out.toString(),
        binary.toString());
    JsonNode theirs = JSON.readTree(out.toFile());
    JsonNode ours = JSON.readTree(sbom());

    Set<String> expected = new TreeSet<>();
    for (JsonNode c : theirs.path("components")) {
      String name = c.path("name").asText();
      String version = c.path("version").asText();
      if (name.equals("std")) {
        // cyclonedx-gomod names the standard library std at go1.x.y; scanners know stdlib v1.x.y.
        name = "stdlib";
        version = "v" + version.substring(2);
      }
      expected.add(name + "@" + version + " " + hashes(c) + " " + purlKey(c, name, version));
    }
    JsonNode app = components(ours, "application").get(0);
    Set<String> dependsOn = new TreeSet<>();
    for (JsonNode d : ours.path("dependencies")) {
      if (d.path("ref").asText().equals(app.path("bom-ref").asText())) {
        d.path("dependsOn").forEach(r -> dependsOn.add(r.asText()));
      }
    }
    Set<String> actual = new TreeSet<>();
    for (JsonNode c : components(ours, "library")) {
      assertTrue(dependsOn.contains(c.path("bom-ref").asText()), c.toString());
      String name = c.path("name").asText();
      String version = c.path("version").asText();
      actual.add(name + "@" + version + " " + hashes(c) + " " + purlKey(c, name, version));
    }
    assertEquals(expected, actual);
    assertTrue(actual.stream().anyMatch(s -> s.startsWith("github.com/google/uuid@v1.5.0 ")));
    assertTrue(actual.stream().anyMatch(s -> s.startsWith("stdlib@v" + goVersion.substring(2))));

    PackageURL main =
        new PackageURL(theirs.path("metadata").path("component").path("purl").asText());
    PackageURL mine = new PackageURL(app.path("purl").asText());
    assertEquals(
        main.getNamespace() + "/" + main.getName(), mine.getNamespace() + "/" + mine.getName());
    assertEquals("cmd/demo", mine.getSubpath());
    assertEquals(main.getSubpath(), mine.getSubpath());
    assertEquals("v1.0.0", mine.getVersion(), "the release's version for a (devel) main module");
    assertEquals(Digest.of(binary).hex(), app.path("hashes").get(0).path("content").asText());
  }

  /** The hashes are the go.sum lines' h1 values; the go.sum text is a property. */
  @Test
  void moduleHashesAreTheGoSumOnes() throws Exception {
    Map<String, String> sums = new TreeMap<>();
    for (String line : Files.readAllLines(module.resolve("go.sum"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (!f[1].endsWith("/go.mod")) {
        sums.put(f[0] + "@" + f[1], f[2]);
      }
    }
    JsonNode ours = JSON.readTree(sbom());
    int checked = 0;
    for (JsonNode c : components(ours, "library")) {
      if (c.path("name").asText().equals("stdlib")) {
        assertFalse(c.has("hashes"), "no go.sum hash for the standard library");
        continue;
      }
      String sum = sums.get(c.path("name").asText() + "@" + c.path("version").asText());
      assertTrue(sum != null && sum.startsWith("h1:"), c.toString());
      assertEquals(sum, property(c, SbomWriter.GO_SUM));
      assertEquals(
          SbomWriter.h1Hex(sum).orElseThrow(), c.path("hashes").get(0).path("content").asText());
      assertEquals("SHA-256", c.path("hashes").get(0).path("alg").asText());
      checked++;
    }
    assertEquals(3, checked);
    JsonNode uuid =
        components(ours, "library").stream()
            .filter(c -> c.path("name").asText().equals("github.com/google/uuid"))
            .findFirst()
            .orElseThrow();
    assertEquals("github.com/google/uuid@v1.6.0", property(uuid, SbomWriter.REPLACES));
  }

  /** Purls carry the binary's platform, not the host's; settings are properties. */
  @Test
  void purlsCarryTheBinarysPlatformAndSettingsAreProperties() throws Exception {
    JsonNode ours = JSON.readTree(sbom());
    for (JsonNode c : ours.path("components")) {
      PackageURL p = new PackageURL(c.path("purl").asText());
      assertEquals("golang", p.getType());
      assertEquals(Map.of("goos", "linux", "goarch", "arm64"), p.getQualifiers(), c.toString());
    }
    JsonNode app = components(ours, "application").get(0);
    assertEquals("netgo,sbomdemo", property(app, SbomWriter.SETTING + "-tags"));
    assertEquals("arm64", property(app, SbomWriter.SETTING + "GOARCH"));
    assertEquals("true", property(app, SbomWriter.SETTING + "-trimpath"));
    assertEquals(goVersion, property(app, SbomWriter.GO_VERSION));
    assertEquals("demo-1.0.0.linux-arm64/bin/demo", property(app, SbomWriter.PATH));
  }

  /**
   * A real tar.gz holding the binary (and a README): the SBOM names it with the manifest's sums.
   */
  @Test
  void anArchiveIsReadWithoutUnpackingAndNamedByItsChecksums(@TempDir Path dir) throws Exception {
    Path top = Files.createDirectories(dir.resolve("demo-1.0.0.linux-arm64/bin"));
    Files.copy(binary, top.resolve("demo"));
    Files.writeString(top.resolveSibling("README"), "demo\n");
    Path archive = dir.resolve("demo-1.0.0.linux-arm64.tar.gz");
    GoFixtures.run(dir, Map.of(), "tar", "czf", archive.toString(), "demo-1.0.0.linux-arm64");
    String binarySha = Digest.of(binary).hex();
    String archiveSha =
        GoFixtures.run(dir, Map.of(), "sha256sum", archive.toString()).split(" ")[0];
    ReleaseManifest.Artifact artifact =
        new ReleaseManifest.Artifact(
            archive.getFileName().toString(),
            "archive",
            "linux",
            "arm64",
            Files.size(archive),
            archiveSha,
            List.of(
                new ReleaseManifest.Binary(
                    "demo-1.0.0.linux-arm64/bin/demo",
                    "example.com/sbomdemo/cmd/demo",
                    goVersion,
                    "linux",
                    "arm64",
                    null,
                    null,
                    Files.size(binary),
                    binarySha)));
    byte[] bytes = SbomWriter.artifact(artifact, archive, "v1.0.0", null, dir);
    assertEquals(List.of(), new JsonParser().validate(bytes, Version.VERSION_16));
    JsonNode bom = JSON.readTree(bytes);
    assertEquals(
        archiveSha,
        bom.path("metadata").path("component").path("hashes").get(0).path("content").asText());
    JsonNode app = components(bom, "application").get(0);
    assertEquals(binarySha, app.path("hashes").get(0).path("content").asText());
    assertEquals("demo-1.0.0.linux-arm64/bin/demo", property(app, SbomWriter.PATH));
    assertEquals(1, components(bom, "application").size());

    ReleaseManifest.Artifact unlisted =
        new ReleaseManifest.Artifact(
            artifact.name(), "archive", "linux", "arm64", artifact.size(), archiveSha, List.of());
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class,
            () -> SbomWriter.artifact(unlisted, archive, "v1.0.0", null, dir));
    assertTrue(e.getMessage().contains("which the manifest does not list"), e.getMessage());
  }

  static List<JsonNode> components(JsonNode bom, String type) {
    return java.util.stream.StreamSupport.stream(bom.path("components").spliterator(), false)
        .filter(c -> c.path("type").asText().equals(type))
        .toList();
  }

  static String hashes(JsonNode c) {
    List<String> out = new java.util.ArrayList<>();
    c.path("hashes")
        .forEach(h -> out.add(h.path("alg").asText() + ":" + h.path("content").asText()));
    return out.stream().sorted().collect(Collectors.joining(","));
  }

  /** The purl without the {@code type=module} qualifier cyclonedx-gomod adds. */
  static String purlKey(JsonNode c, String name, String version) throws Exception {
    PackageURL p = new PackageURL(c.path("purl").asText());
    Map<String, String> q = new TreeMap<>(p.getQualifiers());
    q.remove("type");
    return q.toString();
  }

  static String property(JsonNode c, String name) {
    for (JsonNode p : c.path("properties")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("value").asText();
      }
    }
    return null;
  }
}
