package dev.rebuild.core.pipeline;

import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.stage.VerifyStage;
import java.util.List;

/**
 * What a release does besides building and packing.
 *
 * @param verification checks the artifacts before the commit; null: no verification
 * @param images rebuilds container images as OCI layouts; null: no images
 * @param registries how registries are read (originals) and written (publish)
 * @param skipPublish stop after the commit: the images stay OCI layouts in the tag directory
 * @param provenance writes provenance, VEX and the plugged-in documents (SBOMs) after the images;
 *     null: none
 */
public record ReleaseOptions(
    VerifyStage verification,
    ImageStage images,
    ImageStage.Registries registries,
    boolean skipPublish,
    ProvenanceStage provenance) {

  /** Without provenance. */
  public ReleaseOptions(
      VerifyStage verification,
      ImageStage images,
      ImageStage.Registries registries,
      boolean skipPublish) {
    this(verification, images, registries, skipPublish, null);
  }

  public ReleaseOptions {
    registries = registries == null ? ImageStage.Registries.DEFAULT : registries;
    if (images == null) {
      images = new ImageStage(List.of(), registries);
    }
  }

  /** Build, pack and commit; no verification, no image. */
  public static ReleaseOptions plain() {
    return new ReleaseOptions(null, null, null, false);
  }

  /** These options with {@code stage} writing provenance, VEX and SBOMs. */
  public ReleaseOptions withProvenance(ProvenanceStage stage) {
    return new ReleaseOptions(verification, images, registries, skipPublish, stage);
  }
}
