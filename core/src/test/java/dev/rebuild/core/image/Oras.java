package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code oras discover} (pinned in {@link TestTools}): the OCI 1.1 client that lists referrers. */
public final class Oras {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Oras() {}

  /**
   * What {@code oras discover} lists for {@code ref} over plain HTTP: referrer digest to
   * artifactType.
   *
   * @param home oras's home (its config and credentials stay there)
   */
  public static Map<String, String> discover(String ref, Path home) throws IOException {
    Files.createDirectories(home);
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("DOCKER_CONFIG", home.resolve(".docker").toString());
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    String out =
        Cmd.ok(
            List.of(
                TestTools.tool("oras").toString(),
                "discover",
                "--plain-http",
                "--format",
                "json",
                ref),
            home,
            env);
    Map<String, String> found = new TreeMap<>();
    collect(JSON.readTree(out), found);
    found.remove(ref.substring(ref.indexOf('@') + 1));
    return found;
  }

  private static void collect(JsonNode n, Map<String, String> found) {
    if (n.isObject()) {
      if (n.has("digest") && n.has("artifactType")) {
        found.put(n.path("digest").asText(), n.path("artifactType").asText());
      }
      n.fields().forEachRemaining(e -> collect(e.getValue(), found));
    } else if (n.isArray()) {
      n.forEach(c -> collect(c, found));
    }
  }
}
