package dev.rebuild.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.rebuild.core.release.ReleaseManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code part.json}: what one machine built of a release whose targets are spread over several
 * (Jenkins agents), self-describing so that a merge can check the parts belong together. Written
 * last into the part directory: a directory without it is no part.
 *
 * @param recipe the whole recipe as the manifest records it, every target of the release
 * @param recipeSha256 the sha256 of {@code recipe} as JSON: parts must agree on it
 * @param targets the targets this part built
 * @param paths where the part was built; they end up in binaries built without {@code -trimpath}
 * @param artifacts this part's artifacts, as the manifest records them
 * @param files every file of the part ({@code dist/...}, {@code bin/<os>-<arch>/...}) and its
 *     sha256
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Part(
    String schema,
    String tag,
    String commit,
    String commitTime,
    String source,
    String module,
    String project,
    ReleaseManifest.Toolchain go,
    ReleaseManifest.RecipeRecord recipe,
    String recipeSha256,
    List<String> targets,
    BuildPaths paths,
    List<ReleaseManifest.Artifact> artifacts,
    SortedMap<String, String> files) {

  public static final String SCHEMA = "https://rebuild.dev/schema/rebuild-part/v1";

  public static final String FILE = "part.json";

  public Part {
    targets = List.copyOf(targets);
    artifacts = List.copyOf(artifacts);
    files = new TreeMap<>(files);
  }

  /**
   * The paths a Go binary built without {@code -trimpath} embeds: the directory it was built in,
   * the toolchain's GOROOT and the module cache.
   */
  public record BuildPaths(String checkout, String goroot, String gomodcache) {}

  public byte[] toJson() throws IOException {
    return ReleaseManifest.mapper().writeValueAsBytes(this);
  }

  /**
   * Reads the part in {@code dir}.
   *
   * @throws IOException when {@code dir} holds no complete part; the message says why
   */
  public static Part read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    byte[] bytes;
    try {
      if (Files.size(file) > 16 << 20) {
        throw new IOException(file + " is larger than 16 MiB: no part.json of ours");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException(
          dir + " is no part: it has no " + FILE + " (the part's run failed or did not finish)");
    }
    Part p;
    try {
      p =
          ReleaseManifest.mapper()
              .copy()
              .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
              .readValue(bytes, Part.class);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a part description: " + e.getMessage(), e);
    }
    if (!SCHEMA.equals(p.schema())) {
      throw new IOException(file + " has schema " + p.schema() + ", expected " + SCHEMA);
    }
    return p;
  }
}
