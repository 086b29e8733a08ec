package dev.rebuild.core.pipeline;

import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.release.ReleaseNames;
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
 * @param label the rebuild label's template, recorded in the manifest so that publishing names new
 *     releases and versions by it; null: {@link ReleaseNames#DEFAULT_LABEL}
 * @param destinations where the committed files are uploaded besides the images; empty: nowhere
 * @param provenance writes provenance, VEX and the plugged-in documents (SBOMs) after the images;
 *     null: none
 */
public record ReleaseOptions(
    VerifyStage verification,
    ImageStage images,
    ImageStage.Registries registries,
    boolean skipPublish,
    String label,
    List<Destination> destinations,
    ProvenanceStage provenance) {

  public ReleaseOptions {
    registries = registries == null ? ImageStage.Registries.DEFAULT : registries;
    if (images == null) {
      images = new ImageStage(List.of(), registries);
    }
    label = label == null ? ReleaseNames.DEFAULT_LABEL : label;
    destinations = destinations == null ? List.of() : List.copyOf(destinations);
  }

  /** The default label, no file destination, no provenance. */
  public ReleaseOptions(
      VerifyStage verification,
      ImageStage images,
      ImageStage.Registries registries,
      boolean skipPublish) {
    this(verification, images, registries, skipPublish, null, null, null);
  }

  /** Label and destinations, no provenance. */
  public ReleaseOptions(
      VerifyStage verification,
      ImageStage images,
      ImageStage.Registries registries,
      boolean skipPublish,
      String label,
      List<Destination> destinations) {
    this(verification, images, registries, skipPublish, label, destinations, null);
  }

  /** Build, pack and commit; no verification, no image. */
  public static ReleaseOptions plain() {
    return new ReleaseOptions(null, null, null, false);
  }

  /** These options with {@code stage} writing provenance, VEX and SBOMs. */
  public ReleaseOptions withProvenance(ProvenanceStage stage) {
    return new ReleaseOptions(
        verification, images, registries, skipPublish, label, destinations, stage);
  }
}
