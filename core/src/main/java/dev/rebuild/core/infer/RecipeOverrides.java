package dev.rebuild.core.infer;

import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The recipe values the user gave (POM {@code <configuration>} or {@code -D}); null means not
 * given, so the original release decides. Given values win over what the original shows.
 */
public record RecipeOverrides(
    String projectName,
    List<Platform> targets,
    List<String> packages,
    NameTemplate ldflags,
    List<String> buildTags,
    Boolean trimpath,
    List<String> buildFlags,
    SortedMap<String, String> env,
    ArchiveSpec archive,
    SortedMap<String, String> binaryNames) {

  /** Without binary names. */
  public RecipeOverrides(
      String projectName,
      List<Platform> targets,
      List<String> packages,
      NameTemplate ldflags,
      List<String> buildTags,
      Boolean trimpath,
      List<String> buildFlags,
      SortedMap<String, String> env,
      ArchiveSpec archive) {
    this(
        projectName,
        targets,
        packages,
        ldflags,
        buildTags,
        trimpath,
        buildFlags,
        env,
        archive,
        null);
  }

  public RecipeOverrides {
    binaryNames = binaryNames == null || binaryNames.isEmpty() ? null : new TreeMap<>(binaryNames);
    targets = targets == null ? null : List.copyOf(targets);
    packages = packages == null ? null : List.copyOf(packages);
    buildTags = buildTags == null ? null : List.copyOf(buildTags);
    buildFlags = buildFlags == null ? null : List.copyOf(buildFlags);
    env = env == null || env.isEmpty() ? null : new TreeMap<>(env);
  }

  /** Nothing given: everything comes from the original. */
  public static RecipeOverrides none() {
    return new RecipeOverrides(null, null, null, null, null, null, null, null, null);
  }

  /** The explicit environment, or an empty one. */
  public Map<String, String> envOrEmpty() {
    return env == null ? Map.of() : env;
  }
}
