package dev.rebuild.core.stage;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.build.GoBuilder;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.toolchain.Toolchain;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds every main package of the checkout for each of {@code targets} with one toolchain. */
public final class BuildStage {

  private final ProcessRunner runner;
  private final Map<String, String> environment;
  private final ReleaseListener listener;
  private final int parallelism;

  public BuildStage(
      ProcessRunner runner,
      Map<String, String> environment,
      ReleaseListener listener,
      int parallelism) {
    this.runner = runner;
    this.environment = Map.copyOf(environment);
    this.listener = listener;
    this.parallelism = parallelism;
  }

  /**
   * Builds into {@code binDirectory/<os>-<arch>/}; one result per target, in target order.
   *
   * @param commitValues the {@link ReleaseNames#commitPlaceholders commit placeholders} the {@code
   *     -ldflags} may use
   */
  public List<TargetBuild> build(
      Path checkout,
      Toolchain toolchain,
      Recipe recipe,
      List<Platform> targets,
      ReleaseNames names,
      Map<String, String> commitValues,
      Path binDirectory)
      throws RebuildException {
    checkEnv(recipe);
    Map<Platform, String> ldflags = new HashMap<>();
    for (Platform p : targets) {
      NameTemplate template = recipe.ldflagsFor(p);
      Map<String, String> values = names.placeholders(p);
      values.putAll(commitValues);
      ldflags.put(p, template == null ? "" : template.expand(values));
    }
    List<String> unrecorded =
        recipe.env().keySet().stream().filter(k -> !GoBuilder.changesBuild(k)).toList();
    if (!unrecorded.isEmpty()) {
      listener.info(
          "<env> "
              + String.join(", ", unrecorded)
              + ": given to go build, not recorded in the manifest (they do not change a Go"
              + " build)");
    }
    GoBuilder builder = new GoBuilder(runner, environment, parallelism, listener);
    return builder.build(
        toolchain.goCommand(), checkout, recipe.withTargets(targets), ldflags, binDirectory);
  }

  /** Refuses an {@code <env>} that sets what the rebuild itself decides. */
  public static void checkEnv(Recipe recipe) throws RebuildException {
    java.util.Set<String> keys = new java.util.TreeSet<>(recipe.env().keySet());
    recipe.perTarget().values().forEach(v -> keys.addAll(v.env().keySet()));
    for (String key : keys) {
      if (GoBuilder.RESERVED_ENV.contains(key)) {
        throw RebuildException.badInput(
            "env",
            "<env> must not set "
                + key
                + ": the rebuild sets it (targets choose GOOS/GOARCH/GOARM/GOAMD64, -Dgo the"
                + " toolchain). Remove it from <env>.");
      }
    }
  }
}
