package dev.rebuild.core.release;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code rebuild-manifest.json}: what was rebuilt, from what, with which Go, and what came out.
 * Holds no wall-clock time, no absolute path and no credentials, so the same rebuild writes the
 * same bytes on any machine. It is the commit marker of the tag directory: written last, and a tag
 * directory without it is not committed.
 *
 * <p>The fixed part (source, toolchain, recipe, {@code dist/}'s artifacts) is followed by one
 * section per stage that contributes one ({@code images}, {@code verification}), in name order.
 *
 * @param sections stage name to that stage's record, as JSON
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
    @JsonIgnore SortedMap<String, JsonNode> sections) {

  /** The manifest's file name in the tag directory. */
  public static final String FILE = "rebuild-manifest.json";

  /** The section names of the stages that contribute one. */
  public static final String IMAGES = "images";

  public static final String VERIFICATION = "verification";

  /** The section listing the documents written about the artifacts and images. */
  public static final String ATTACHMENTS = "attachments";

  private static final ObjectMapper MAPPER = mapper();

  public ReleaseManifest {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    sections =
        Collections.unmodifiableSortedMap(
            sections == null ? new TreeMap<>() : new TreeMap<>(sections));
  }

  /** The sections, written after the fixed fields. */
  @JsonAnyGetter
  public Map<String, JsonNode> jsonSections() {
    return sections;
  }

  /** This manifest with {@code value} as the section {@code name}; null removes the section. */
  public ReleaseManifest withSection(String name, Object value) {
    SortedMap<String, JsonNode> s = new TreeMap<>(sections);
    if (value == null) {
      s.remove(name);
    } else {
      s.put(name, MAPPER.valueToTree(value));
    }
    return new ReleaseManifest(
        schema,
        project,
        module,
        tag,
        version,
        commit,
        commitTime,
        source,
        go,
        recipe,
        artifacts,
        s);
  }

  /** The images section: every rebuilt image, as its OCI layout and where it is to be pushed. */
  public List<Image> images() {
    return section(IMAGES, new TypeReference<List<Image>>() {}).orElse(List.of());
  }

  /** The verification section, or null when the release was not verified. */
  public Verification verification() {
    return section(VERIFICATION, new TypeReference<Verification>() {}).orElse(null);
  }

  /**
   * The attachments section: provenance, VEX, SBOMs. Those with a {@code dist/} name are listed in
   * {@code SHA256SUMS} next to the artifacts.
   */
  public List<Attachment> attachments() {
    return section(ATTACHMENTS, new TypeReference<List<Attachment>>() {}).orElse(List.of());
  }

  private <T> Optional<T> section(String name, TypeReference<T> type) {
    JsonNode n = sections.get(name);
    return n == null ? Optional.empty() : Optional.of(MAPPER.convertValue(n, type));
  }

  /** The manifest's bytes: sorted keys, indented, a final newline. */
  public byte[] toJson() {
    try {
      byte[] json = MAPPER.writeValueAsBytes(this);
      byte[] out = Arrays.copyOf(json, json.length + 1);
      out[json.length] = '\n';
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise the manifest", e);
    }
  }

  /**
   * Reads a manifest written by {@link #toJson()}.
   *
   * @throws IOException when it is not one (not JSON, another schema, a field of the wrong type)
   */
  public static ReleaseManifest read(byte[] json) throws IOException {
    JsonNode tree = MAPPER.readTree(json);
    if (!(tree instanceof ObjectNode o) || !SCHEMA.equals(o.path("schema").asText())) {
      throw new IOException("not a rebuild manifest (schema " + SCHEMA + ")");
    }
    ObjectNode fixed = o.deepCopy();
    SortedMap<String, JsonNode> sections = new TreeMap<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIXED.contains(name)) {
        sections.put(name, o.get(name));
        fixed.remove(name);
      }
    }
    ReleaseManifest m =
        MAPPER
            .copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .treeToValue(fixed, ReleaseManifest.class);
    return new ReleaseManifest(
        m.schema,
        m.project,
        m.module,
        m.tag,
        m.version,
        m.commit,
        m.commitTime,
        m.source,
        m.go,
        m.recipe,
        m.artifacts,
        sections);
  }

  /** The names of the fixed fields: every component but the sections. */
  private static final Set<String> FIXED =
      Arrays.stream(ReleaseManifest.class.getRecordComponents())
          .map(RecordComponent::getName)
          .filter(n -> !n.equals("sections"))
          .collect(Collectors.toUnmodifiableSet());

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
   * A rebuilt container image: the OCI layout the build wrote, where publishing pushes it, and what
   * it replaced. Whether and when it was pushed is in the publish records, not here.
   *
   * @param reference {@code registry/repo:tag} with the main tag: where it is to be published
   * @param layout the OCI image layout, relative to the tag directory ({@code images/nsqio/nsq});
   *     its {@code ref.name} is the main tag
   * @param attached the documents attached to the image in the layout as OCI referrers (its SBOM,
   *     ...): publishing pushes exactly these; null in manifests of earlier versions
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Image(
      String original,
      String originalDigest,
      String reference,
      String digest,
      List<String> tags,
      String layout,
      List<ImagePlatform> platforms,
      List<Attached> attached) {}

  /**
   * A document attached to an image as an OCI referrer.
   *
   * @param artifactType e.g. {@code application/vnd.cyclonedx+json}
   * @param title its file name ({@code sbom.cdx.json})
   * @param subject the digest it is attached to
   * @param digest the referrer manifest's digest, which {@code oras discover} lists
   * @param sha256 the hex SHA-256 of the document itself
   */
  public record Attached(
      String artifactType, String title, String subject, String digest, String sha256) {}

  /**
   * A document about artifacts or an image, written by the build phase and committed with them.
   *
   * @param path where it is, relative to the tag directory: {@code dist/<name>} for a document
   *     published next to the archives, {@code attestations/images/...} for an image's
   * @param kind {@code provenance}, {@code vex}, {@code sbom}
   * @param mediaType what the file holds: {@code application/vnd.in-toto+json} for a bare in-toto
   *     statement, {@code application/vnd.dsse.envelope.v1+json} for a signed one
   * @param describes the names of the {@code dist/} artifacts it is about; empty for an image's
   * @param image for an image's document: the reference the image is published as
   * @param subject for an image's document: the digest of the image it is attached to as an OCI
   *     referrer
   * @param signed whether it is a DSSE envelope signed with {@code rebuild.signingKey}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Attachment(
      String path,
      String kind,
      String mediaType,
      List<String> describes,
      String image,
      String subject,
      boolean signed,
      long size,
      String sha256) {

    /** The directory of {@code dist/} documents, as {@link #path} starts. */
    public static final String DIST_PREFIX = "dist/";

    /** The file name in {@code dist/}, or null when the document does not go there. */
    @JsonIgnore
    public String distName() {
      return path.startsWith(DIST_PREFIX) ? path.substring(DIST_PREFIX.length()) : null;
    }
  }

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
