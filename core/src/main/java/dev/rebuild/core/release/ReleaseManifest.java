package dev.rebuild.core.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.SortedMap;

/**
 * {@code rebuild-manifest.json}: what was rebuilt, from what, with which Go, and what came out.
 * Holds no wall-clock time and no credentials, so the same rebuild writes the same bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReleaseManifest(
    String schema,
    String project,
    String module,
    String tag,
    String version,
    String commit,
    String commitTime,
    String source,
    Toolchain go,
    RecipeRecord recipe,
    List<Artifact> artifacts,
    List<Image> images,
    RebuildVerification.Verification verification) {

  public static final String SCHEMA = "https://rebuild.dev/schema/rebuild-manifest/v1";

  /** The toolchain that built the release and where it came from. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Toolchain(String version, String origin, String sourceUrl, String archiveSha256) {}

  /** The recipe as applied. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RecipeRecord(
      List<String> targets,
      List<String> packages,
      String ldflags,
      List<String> tags,
      boolean trimpath,
      List<String> buildFlags,
      SortedMap<String, String> env,
      Archive archive) {}

  /** The archive part of the recipe. */
  public record Archive(
      String name, String format, SortedMap<String, String> formatOverrides, String binDir) {}

  /** One file of {@code dist/}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Artifact(
      String name,
      String kind,
      String os,
      String arch,
      long size,
      String sha256,
      List<Binary> binaries) {}

  /** A Go binary, bare or inside an archive, with what its build information says. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Binary(
      String path,
      String mainPath,
      String goVersion,
      String goos,
      String goarch,
      String vcsRevision,
      String vcsModified,
      long size,
      String sha256) {}

  /**
   * A rebuilt container image: where it was published (or written, with skipPublish) and what it
   * replaced.
   *
   * @param reference {@code registry/repo:tag}, or {@code oci-layout:DIR:TAG} with skipPublish
   * @param pushed true when the image is in the registry (whether this run uploaded anything or a
   *     previous one did), false when it was only written as an OCI layout
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Image(
      String original,
      String originalDigest,
      String reference,
      String digest,
      List<String> tags,
      boolean pushed,
      List<ImagePlatform> platforms) {}

  /** One platform of a rebuilt image. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ImagePlatform(
      String platform, String originalDigest, String digest, List<String> replacedPaths) {}

  /** The mapper every manifest and report is written with: sorted keys, indented. */
  public static ObjectMapper mapper() {
    return JsonMapper.builder()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .build();
  }
}
