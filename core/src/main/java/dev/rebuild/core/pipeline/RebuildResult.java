package dev.rebuild.core.pipeline;

import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.release.ReleaseManifest;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a successful rebuild: where everything was written, what it says, and what was
 * published (empty with skipPublish or when there was nothing to publish).
 */
public record RebuildResult(
    Path outputDirectory,
    Path dist,
    Path checksums,
    Path manifestFile,
    ReleaseManifest manifest,
    List<PublishRecord> published) {

  public RebuildResult {
    published = List.copyOf(published);
  }
}
