package dev.rebuild.core.publish;

import dev.rebuild.core.release.ReleaseManifest;
import java.nio.file.Path;
import java.util.List;

/**
 * A committed release as the destinations see it: its manifest, its label and every file to upload,
 * each already checked against {@code SHA256SUMS}.
 *
 * @param root the committed tag directory
 * @param manifestSha256 the sha256 of the committed manifest, named in every publish record
 * @param label the rebuild label ({@code v1.3.0-go1.22.12}); names new releases and versions
 * @param files what to upload, in upload order: the artifacts, then the checksums, the manifest and
 *     the report under names that carry the label
 */
public record PublishedRelease(
    Path root,
    ReleaseManifest manifest,
    String manifestSha256,
    String label,
    List<ReleaseFile> files) {

  public PublishedRelease {
    files = List.copyOf(files);
  }

  /**
   * One file to upload.
   *
   * @param name its name at the destination
   * @param path where it is in the tag directory
   * @param sha256 hex, checked against {@code SHA256SUMS} (or the manifest) before publishing
   * @param role what the file is, for destinations that place files by kind
   * @param platform {@code linux-amd64} for an artifact built for one target, else null
   * @param format {@code tar.gz}, {@code zip}, ... for an archive; else the file's extension or
   *     null
   */
  public record ReleaseFile(
      String name,
      Path path,
      String sha256,
      long size,
      Role role,
      String platform,
      String format) {}

  /** What a file is. */
  public enum Role {
    ARCHIVE,
    BINARY,
    CHECKSUMS,
    MANIFEST,
    REPORT,
    /** Anything else in {@code dist/}: provenance, SBOMs, signatures. */
    ATTACHMENT
  }
}
