package dev.rebuild.core.release;

import dev.rebuild.core.infer.RecipeOverrides;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.OriginalRelease;
import java.nio.file.Path;
import java.util.List;

/**
 * One rebuild: which tag of which source, with which Go, by which recipe, written where.
 *
 * @param source a git URL or a local path (already absolute)
 * @param go the requested Go version as the user wrote it ({@code 1.22.12}, {@code go1.22.12})
 * @param recipe the recipe; ignored when {@code inference} is set
 * @param outputRoot the directory that gets {@code <tag>/} (default {@code target/rebuild})
 * @param parallelism how many targets build at once
 * @param inference null, or where to read the recipe from: the original release itself
 */
public record RebuildRequest(
    String source,
    String tag,
    String go,
    Recipe recipe,
    Path outputRoot,
    int parallelism,
    Inference inference) {

  /** A rebuild by a configured recipe. */
  public RebuildRequest(
      String source, String tag, String go, Recipe recipe, Path outputRoot, int parallelism) {
    this(source, tag, go, recipe, outputRoot, parallelism, null);
  }

  /**
   * Read the recipe from the original release once the tag's commit is known.
   *
   * @param names the files to fetch when the original is a URL prefix
   * @param explicit the values the user gave, which win
   * @param image null, or the original release as a container image (a registry reference, {@code
   *     oci-layout:DIR:REF}, {@code docker-archive:FILE}) whose Go binaries are read instead
   * @param registries how the image's registry is read
   * @param label the rebuild label's template ({@link ReleaseNames#DEFAULT_LABEL} when null): it
   *     goes into archive names that do not carry the Go version
   */
  public record Inference(
      OriginalRelease original,
      List<String> names,
      RecipeOverrides explicit,
      String image,
      ImageStage.Registries registries,
      String label) {
    public Inference {
      names = List.copyOf(names);
      registries = registries == null ? ImageStage.Registries.DEFAULT : registries;
      label = label == null ? ReleaseNames.DEFAULT_LABEL : label;
    }

    /** From release files (a directory, a URL prefix, a GitHub release), the default label. */
    public Inference(OriginalRelease original, List<String> names, RecipeOverrides explicit) {
      this(original, names, explicit, null, null, null);
    }
  }

  /** The project name the user gave, from the recipe or the explicit values. */
  public String projectName() {
    if (inference != null) {
      return inference.explicit().projectName();
    }
    return recipe.projectName();
  }
}
