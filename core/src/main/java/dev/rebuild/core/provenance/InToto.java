package dev.rebuild.core.provenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The in-toto attestation framework v1 as Rebuild writes it: a {@link Statement} binding a
 * predicate to subjects by digest, and {@link ResourceDescriptor}s. Written with Jackson (the
 * in-toto Java library models only the v0.1 statement).
 */
public final class InToto {

  /** {@code _type} of a v1 statement. */
  public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";

  /** The DSSE payload type of an in-toto statement, and the media type of a bare one. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** The media type of a DSSE envelope. */
  public static final String DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  private static final ObjectMapper COMPACT =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private InToto() {}

  /**
   * An in-toto v1 statement.
   *
   * @param subject what the predicate is about; each with a digest
   */
  public record Statement(
      @JsonProperty("_type") String type,
      List<ResourceDescriptor> subject,
      String predicateType,
      JsonNode predicate) {

    public Statement {
      subject = List.copyOf(subject);
    }

    public static Statement of(
        List<ResourceDescriptor> subject, String predicateType, Object predicate) {
      return new Statement(STATEMENT_V1, subject, predicateType, COMPACT.valueToTree(predicate));
    }
  }

  /**
   * A resource or artifact: at least one of {@code uri}, {@code digest} or {@code content}.
   *
   * @param digest algorithm ({@code sha256}, {@code gitCommit}) to lowercase hex
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record ResourceDescriptor(
      String name,
      String uri,
      SortedMap<String, String> digest,
      String downloadLocation,
      String mediaType,
      SortedMap<String, Object> annotations) {

    public static ResourceDescriptor of(String name, String algorithm, String hex) {
      return new ResourceDescriptor(
          name, null, new TreeMap<>(java.util.Map.of(algorithm, hex)), null, null, null);
    }

    public ResourceDescriptor withUri(String u) {
      return new ResourceDescriptor(name, u, digest, downloadLocation, mediaType, annotations);
    }

    public ResourceDescriptor withMediaType(String m) {
      return new ResourceDescriptor(name, uri, digest, downloadLocation, m, annotations);
    }

    public ResourceDescriptor withAnnotation(String key, Object value) {
      SortedMap<String, Object> a =
          annotations == null ? new TreeMap<>() : new TreeMap<>(annotations);
      a.put(key, value);
      return new ResourceDescriptor(name, uri, digest, downloadLocation, mediaType, a);
    }
  }

  /** The statement as one line of JSON (keys of maps sorted), without the line break. */
  public static byte[] compact(Object value) {
    try {
      return COMPACT.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /** The mapper the documents are read with. */
  static ObjectMapper mapper() {
    return COMPACT;
  }
}
