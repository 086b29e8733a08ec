package dev.rebuild.core.publish;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rebuild.core.release.ReleaseManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What was published to one destination, kept next to the manifest in {@code publish/} and never in
 * the committed files. It names the manifest it publishes by its sha256, so a later commit of other
 * bytes makes it stale. It holds no time and no credential.
 *
 * @param destination {@code registry:<host>/<repository>} for an image
 * @param manifestSha256 the sha256 of the committed {@code rebuild-manifest.json} it publishes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PublishRecord(
    String schema, String destination, String manifestSha256, List<Item> items) {

  public static final String SCHEMA = "https://rebuild.dev/schema/publish-record/v1";

  public PublishRecord {
    items = List.copyOf(items);
  }

  /** One published thing: an image by digest and the tags that point at it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(String kind, String reference, String digest, List<String> tags) {}

  /** The record's file name: the destination made safe for a file system. */
  public String fileName() {
    return destination.replaceAll("[^A-Za-z0-9._-]", "_") + ".json";
  }

  public byte[] toJson() throws IOException {
    return ReleaseManifest.mapper().writeValueAsBytes(this);
  }

  /** Reads a record; empty when the file is no record (it is then stale by definition). */
  public static Optional<PublishRecord> read(Path file) {
    try {
      if (Files.size(file) > 1 << 20) {
        return Optional.empty();
      }
      PublishRecord r =
          ReleaseManifest.mapper().readValue(Files.readAllBytes(file), PublishRecord.class);
      return SCHEMA.equals(r.schema()) ? Optional.of(r) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
