package dev.rebuild.core.recipe;

import dev.rebuild.core.model.Platform;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a release is built: the targets, main packages, flags and environment, and how the binaries
 * are packed. Everything a rebuild needs besides the tag and the Go version.
 *
 * @param projectName fills {@code {project}}; null means the last element of the module path
 * @param packages main package patterns as {@code go build} takes them; empty means every main
 *     package of the module
 * @param ldflags may use the release placeholders ({@code -X main.version={version}})
 * @param env extra environment for {@code go build} (e.g. {@code CGO_ENABLED=0})
 * @param archive null ships bare binaries
 */
public record Recipe(
    String projectName,
    List<Platform> targets,
    List<String> packages,
    NameTemplate ldflags,
    List<String> buildTags,
    boolean trimpath,
    List<String> buildFlags,
    SortedMap<String, String> env,
    ArchiveSpec archive) {

  public Recipe {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    targets = List.copyOf(targets);
    packages = List.copyOf(packages);
    buildTags = List.copyOf(buildTags);
    buildFlags = List.copyOf(buildFlags);
    env = new TreeMap<>(env);
  }

  /** The same recipe for other targets (one part of a release built on several machines). */
  public Recipe withTargets(List<Platform> other) {
    return new Recipe(
        projectName, other, packages, ldflags, buildTags, trimpath, buildFlags, env, archive);
  }

  /**
   * True when the binaries embed no build paths: without {@code -trimpath} a Go binary records the
   * directory it was built in, its GOROOT and its module cache.
   */
  public boolean pathIndependent() {
    return trimpath || buildFlags.contains("-trimpath");
  }
}
