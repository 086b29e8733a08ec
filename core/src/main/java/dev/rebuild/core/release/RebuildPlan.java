package dev.rebuild.core.release;

import dev.rebuild.core.infer.InferredRecipe;
import dev.rebuild.core.model.Platform;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a rebuild will do, decided before anything is built: the commit, the toolchain, and per
 * target the binaries and the artifact names.
 *
 * @param inferred null, or the recipe read from the original release with the source of every value
 */
public record RebuildPlan(
    String tag,
    String commit,
    Instant commitTime,
    String sourceDisplay,
    String module,
    String project,
    String goVersion,
    String toolchainOrigin,
    Path outputDirectory,
    List<TargetPlan> targets,
    InferredRecipe inferred) {

  /** One target: its binaries (file names) and the artifact they ship in. */
  public record TargetPlan(Platform platform, List<String> binaries, String artifactName) {}
}
