package dev.rebuild.core.sbom;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.stage.ProvenanceStage;
import java.io.IOException;

/**
 * The CycloneDX SBOM next to each {@code dist/} artifact ({@code <artifact>.cdx.json}), written by
 * the provenance stage ({@link ProvenanceStage#withDocument}) and listed in {@code SHA256SUMS}.
 */
public final class ArchiveSbom implements ProvenanceStage.ArtifactDocument {

  private final String tool;

  /**
   * @param tool this plugin's version for the SBOM's {@code metadata.tools}, or null
   */
  public ArchiveSbom(String tool) {
    this.tool = tool;
  }

  @Override
  public String kind() {
    return "sbom";
  }

  @Override
  public String suffix() {
    return SbomWriter.SUFFIX;
  }

  @Override
  public String mediaType() {
    return SbomWriter.MEDIA_TYPE;
  }

  @Override
  public byte[] write(ProvenanceStage.ArtifactInput in) throws RebuildException {
    try {
      return SbomWriter.artifact(in.artifact(), in.file(), in.manifest().tag(), tool, in.work());
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot write the SBOM of " + in.artifact().name() + ": " + e.getMessage(), e);
    }
  }
}
