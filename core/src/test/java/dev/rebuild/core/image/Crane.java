package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * go-containerregistry's {@code crane} ({@link TestTools#tool}, pinned), the independent registry
 * client the image tests check against: it pushes the test images, reads manifests back and pulls
 * results into OCI layouts. Runs with an empty Docker config of its own, so the user's credentials
 * never take part; {@link #withCredentials} gives it some.
 */
public final class Crane {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String registry;
  private final String user;
  private final String password;

  private Crane(String registry, String user, String password) {
    this.registry = registry;
    this.user = user;
    this.password = password;
  }

  /** crane without credentials. */
  public static Crane anonymous() {
    return new Crane(null, null, null);
  }

  /** crane with {@code user}/{@code password} for {@code registry} (host:port). */
  static Crane withCredentials(String registry, String user, String password) {
    return new Crane(registry, user, password);
  }

  public Cmd.Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(TestTools.tool("crane").toString());
    command.add("--insecure");
    command.addAll(List.of(args));
    return Cmd.run(command, null, env());
  }

  /** Runs and fails the test on a non-zero exit. */
  public String ok(String... args) {
    Cmd.Result r = run(args);
    if (r.exit() != 0) {
      throw new AssertionError(
          "crane " + String.join(" ", args) + " failed (" + r.exit() + "):\n" + r.err() + r.out());
    }
    return r.out();
  }

  /** The raw manifest {@code ref} resolves to, as the registry serves it; null when none. */
  String rawManifest(String ref) {
    Cmd.Result r = run("manifest", ref);
    return r.exit() == 0 ? r.out() : null;
  }

  /**
   * Pushes the image or index that {@code ref} names in the OCI layout {@code layout} to {@code
   * dest}, byte for byte (its digest is kept).
   */
  void pushLayoutRef(Path layout, String ref, String dest) throws IOException {
    ok("push", singleRefLayout(layout, ref).toString(), dest);
  }

  /**
   * A layout whose index.json names only {@code ref} of {@code layout} (crane pushes a layout with
   * one entry as that entry), sharing its blobs.
   */
  static Path singleRefLayout(Path layout, String ref) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode found = null;
    for (JsonNode d : index.path("manifests")) {
      if (ref.equals(d.path("annotations").path(OciLayoutSource.REF_NAME).asText(null))) {
        found = d;
      }
    }
    if (found == null) {
      throw new AssertionError("no " + ref + " in " + layout.resolve("index.json"));
    }
    Path single = Files.createTempDirectory("crane-layout");
    single.toFile().deleteOnExit();
    for (String name : List.of("oci-layout", "index.json", "blobs")) {
      single.resolve(name).toFile().deleteOnExit();
    }
    Files.writeString(single.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    ObjectNode out = JSON.createObjectNode();
    out.put("schemaVersion", 2);
    out.put("mediaType", MediaTypes.OCI_INDEX);
    out.putArray("manifests").add(found);
    Files.write(single.resolve("index.json"), JSON.writeValueAsBytes(out));
    Files.createSymbolicLink(single.resolve("blobs"), layout.resolve("blobs").toAbsolutePath());
    return single;
  }

  /**
   * Writes into {@code target} (a new OCI layout) the index {@code ref} of {@code layout} converted
   * to Docker's v2 schema 2 media types, as {@code skopeo copy --format v2s2} converts it: a
   * manifest list of Docker manifests with the same config and layer blobs.
   *
   * @return the ref of the converted list in {@code target}
   */
  static String dockerV2s2(Path layout, String ref, Path target) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    String indexDigest = null;
    for (JsonNode d : index.path("manifests")) {
      if (ref.equals(d.path("annotations").path(OciLayoutSource.REF_NAME).asText(null))) {
        indexDigest = d.path("digest").asText();
      }
    }
    if (indexDigest == null) {
      throw new AssertionError("no " + ref + " in " + layout.resolve("index.json"));
    }
    JsonNode ociIndex = blob(layout, indexDigest);
    ObjectNode list = JSON.createObjectNode();
    list.put("schemaVersion", 2);
    list.put("mediaType", MediaTypes.DOCKER_LIST);
    ArrayNode manifests = list.putArray("manifests");
    for (JsonNode d : ociIndex.path("manifests")) {
      JsonNode m = blob(layout, d.path("digest").asText());
      ObjectNode dm = JSON.createObjectNode();
      dm.put("schemaVersion", 2);
      dm.put("mediaType", MediaTypes.DOCKER_MANIFEST);
      JsonNode c = m.path("config");
      copyBlob(layout, target, c.path("digest").asText());
      dm.putObject("config")
          .put("mediaType", MediaTypes.DOCKER_CONFIG)
          .put("size", c.path("size").asLong())
          .put("digest", c.path("digest").asText());
      ArrayNode layers = dm.putArray("layers");
      for (JsonNode l : m.path("layers")) {
        copyBlob(layout, target, l.path("digest").asText());
        layers
            .addObject()
            .put("mediaType", MediaTypes.DOCKER_LAYER_GZIP)
            .put("size", l.path("size").asLong())
            .put("digest", l.path("digest").asText());
      }
      byte[] bytes = JSON.writeValueAsBytes(dm);
      ObjectNode entry = manifests.addObject();
      entry.put("mediaType", MediaTypes.DOCKER_MANIFEST);
      entry.put("size", bytes.length);
      entry.put("digest", Fixture.writeBlob(target, bytes));
      entry.set("platform", d.path("platform").deepCopy());
    }
    byte[] listBytes = JSON.writeValueAsBytes(list);
    String listDigest = Fixture.writeBlob(target, listBytes);
    Files.writeString(target.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    ObjectNode top = JSON.createObjectNode();
    top.put("schemaVersion", 2);
    ObjectNode d = top.putArray("manifests").addObject();
    d.put("mediaType", MediaTypes.DOCKER_LIST);
    d.put("digest", listDigest);
    d.put("size", listBytes.length);
    d.putObject("annotations").put(OciLayoutSource.REF_NAME, ref);
    Files.write(target.resolve("index.json"), JSON.writeValueAsBytes(top));
    return ref;
  }

  private static JsonNode blob(Path layout, String digest) throws IOException {
    return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring(7)).toFile());
  }

  private static void copyBlob(Path from, Path to, String digest) throws IOException {
    Path target = Files.createDirectories(to.resolve("blobs/sha256")).resolve(digest.substring(7));
    if (!Files.exists(target)) {
      Files.copy(from.resolve("blobs/sha256/" + digest.substring(7)), target);
    }
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    String home = System.getProperty("user.home");
    env.put("HOME", home);
    String path = System.getenv("PATH");
    env.put("PATH", path != null ? path : "/usr/bin:/bin");
    try {
      Path config = Files.createTempDirectory("crane-docker-config");
      config.toFile().deleteOnExit();
      String auths = "{}";
      if (registry != null) {
        String auth =
            Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        auths = "{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}";
      }
      Path file = config.resolve("config.json");
      Files.writeString(file, "{\"auths\":" + auths + "}");
      file.toFile().deleteOnExit();
      env.put("DOCKER_CONFIG", config.toString());
    } catch (IOException e) {
      throw new AssertionError("cannot write a Docker config for crane: " + e, e);
    }
    return env;
  }
}
