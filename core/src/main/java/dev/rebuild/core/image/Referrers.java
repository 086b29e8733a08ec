package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Documents attached to an image (SBOM, provenance, VEX) as OCI 1.1 referrers: an image manifest
 * with an {@code artifactType}, the empty config, the document as its one layer, and a {@code
 * subject} naming the image's digest.
 *
 * <p>{@link #attach} writes one into the OCI image layout that holds the image, as a manifest
 * listed in the layout's {@code index.json} without a {@code ref.name} (as {@code oras} keeps
 * referrers in a layout). {@link LayoutPusher} pushes the referrers of the image it pushes, through
 * the registry's referrers API or, for a registry without it, the fallback tag {@code sha256-<hex>}
 * holding an index of the subject's referrers ({@link #fallbackTag}).
 */
public final class Referrers {

  /** The OCI empty descriptor's media type, for the config of an artifact manifest. */
  public static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";

  /** The empty config: {@code {}}. */
  static final byte[] EMPTY = "{}".getBytes(StandardCharsets.US_ASCII);

  /** {@code org.opencontainers.image.title}: the document's file name. */
  public static final String TITLE = "org.opencontainers.image.title";

  /** {@code org.opencontainers.image.created}: set from the tag's commit, never the clock. */
  public static final String CREATED = "org.opencontainers.image.created";

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A document to attach.
   *
   * @param artifactType its media type, e.g. {@code application/vnd.cyclonedx+json}; also the media
   *     type of its layer
   * @param fileName its name for {@link #TITLE}, e.g. {@code sbom.cdx.json}
   * @param annotations of the referrer manifest (shown by {@code oras discover}), sorted
   */
  public record Attachment(
      String artifactType, String fileName, byte[] content, SortedMap<String, String> annotations) {
    public Attachment {
      Objects.requireNonNull(artifactType, "artifactType");
      Objects.requireNonNull(fileName, "fileName");
      Objects.requireNonNull(content, "content");
      if (!MEDIA_TYPE.matcher(artifactType).matches()) {
        throw new IllegalArgumentException("'" + artifactType + "' is no media type");
      }
      annotations = annotations == null ? new TreeMap<>() : new TreeMap<>(annotations);
    }
  }

  private Referrers() {}

  /** The tag of the referrers index of {@code digest} for registries without the API. */
  public static String fallbackTag(String digest) {
    return "sha256-" + Digest.parse(digest).hex();
  }

  /**
   * Writes {@code a} into the OCI layout {@code layout} as a referrer of {@code subject}, an index
   * or manifest of that layout. Writing the same document again changes nothing.
   *
   * @return the referrer manifest's digest
   * @throws ImageException when the subject is not in the layout or the layout cannot be written
   */
  public static String attach(Path layout, String subject, Attachment a) throws ImageException {
    Path blobs = layout.resolve("blobs").resolve("sha256");
    Path subjectFile = blobs.resolve(Digest.parse(subject).hex());
    if (!Files.isRegularFile(subjectFile)) {
      throw ImageException.badInput(
          "cannot attach "
              + a.fileName()
              + ": "
              + subject
              + " is not in the OCI layout "
              + layout
              + "; write the image first");
    }
    byte[] subjectBytes =
        LayoutPusher.readJsonFile(subjectFile, "manifest " + subject + " of " + layout);
    if (!Digest.of(subjectBytes).toString().equals(subject)) {
      throw ImageException.badInput(
          "manifest " + subject + " of " + layout + " does not match its digest: rebuild it");
    }
    String subjectType;
    try {
      subjectType = JSON.readTree(subjectBytes).path("mediaType").asText("");
    } catch (IOException e) {
      throw ImageException.badInput(subject + " of " + layout + " is not JSON: rebuild it");
    }
    if (!MediaTypes.isIndex(subjectType) && !MediaTypes.isManifest(subjectType)) {
      throw ImageException.badInput(
          subject + " of " + layout + " is no image manifest or index; documents attach to those");
    }
    byte[] manifest = manifest(subject, subjectType, subjectBytes.length, a);
    String digest = Digest.of(manifest).toString();
    try {
      ImageRebuilder.putBytes(blobs.resolve(Digest.of(EMPTY).hex()), EMPTY);
      ImageRebuilder.putBytes(blobs.resolve(Digest.of(a.content()).hex()), a.content());
      ImageRebuilder.putBytes(blobs.resolve(Digest.parse(digest).hex()), manifest);
      Path indexFile = layout.resolve("index.json");
      JsonNode index =
          JSON.readTree(LayoutPusher.readJsonFile(indexFile, "the index.json of " + layout));
      List<JsonNode> entries = new ArrayList<>();
      for (JsonNode d : index.path("manifests")) {
        if (!d.path("digest").asText("").equals(digest)) {
          entries.add(d);
        }
      }
      entries.add(descriptor(digest, manifest.length, a.artifactType(), a.annotations()));
      ImageRebuilder.writeIndex(indexFile, entries);
    } catch (IOException e) {
      throw new ImageException(
          "cannot write to the OCI layout " + layout + ": " + e.getMessage(), e);
    }
    return digest;
  }

  /**
   * The referrer manifest of {@code a} for the subject {@code subject} (an index or manifest of
   * media type {@code subjectType}, {@code subjectSize} bytes); the same inputs give the same
   * bytes.
   */
  static byte[] manifest(String subject, String subjectType, long subjectSize, Attachment a) {
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    m.put("artifactType", a.artifactType());
    ObjectNode config = m.putObject("config");
    config.put("mediaType", EMPTY_MEDIA_TYPE);
    config.put("digest", Digest.of(EMPTY).toString());
    config.put("size", EMPTY.length);
    config.put("data", "e30=");
    ObjectNode layer = m.putArray("layers").addObject();
    layer.put("mediaType", a.artifactType());
    layer.put("digest", Digest.of(a.content()).toString());
    layer.put("size", a.content().length);
    layer.putObject("annotations").put(TITLE, a.fileName());
    ObjectNode s = m.putObject("subject");
    s.put("mediaType", subjectType);
    s.put("digest", subject);
    s.put("size", subjectSize);
    if (!a.annotations().isEmpty()) {
      ObjectNode ann = m.putObject("annotations");
      a.annotations().forEach(ann::put);
    }
    return write(m);
  }

  /** A referrer's descriptor, as index.json and a referrers index list it. */
  static ObjectNode descriptor(
      String digest, long size, String artifactType, Map<String, String> annotations) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", MediaTypes.OCI_MANIFEST);
    d.put("digest", digest);
    d.put("size", size);
    d.put("artifactType", artifactType);
    if (!annotations.isEmpty()) {
      ObjectNode ann = d.putObject("annotations");
      new TreeMap<>(annotations).forEach(ann::put);
    }
    return d;
  }

  /**
   * The referrers index of the fallback tag scheme: {@code existing} (what the tag held, or null)
   * with {@code add} merged in by digest; null when it already lists them all.
   */
  static byte[] mergeIndex(JsonNode existing, List<ObjectNode> add) {
    List<JsonNode> entries = new ArrayList<>();
    if (existing != null) {
      existing.path("manifests").forEach(entries::add);
    }
    boolean changed = existing == null;
    for (ObjectNode d : add) {
      String digest = d.path("digest").asText();
      if (entries.stream().noneMatch(e -> e.path("digest").asText("").equals(digest))) {
        entries.add(d);
        changed = true;
      }
    }
    if (!changed) {
      return null;
    }
    ObjectNode idx = JSON.createObjectNode();
    idx.put("schemaVersion", 2);
    idx.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode ms = idx.putArray("manifests");
    entries.forEach(ms::add);
    return write(idx);
  }

  private static byte[] write(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
