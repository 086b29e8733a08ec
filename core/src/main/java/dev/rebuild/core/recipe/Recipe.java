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
 * @param perTarget what differs for one target ({@link Platform#toString()} as key): an original
 *     release whose platforms were built with different {@code -ldflags} or environment (cgo for
 *     the native target only) is rebuilt that way, not with one averaged value
 * @param binaryNames per main package import path, the name its binary ships under when it is not
 *     the one {@code go build} gives it (GoReleaser names a binary after the project by default);
 *     without the {@code .exe} Windows adds
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
    ArchiveSpec archive,
    SortedMap<String, TargetVariant> perTarget,
    SortedMap<String, String> binaryNames) {

  /**
   * What one target changes: its own {@code -ldflags} (null: the recipe's) and environment on top
   * of the recipe's.
   */
  public record TargetVariant(NameTemplate ldflags, SortedMap<String, String> env) {
    public TargetVariant {
      env = new TreeMap<>(env);
    }
  }

  /** A recipe with the same values for every target. */
  public Recipe(
      String projectName,
      List<Platform> targets,
      List<String> packages,
      NameTemplate ldflags,
      List<String> buildTags,
      boolean trimpath,
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
        new TreeMap<>(),
        new TreeMap<>());
  }

  public Recipe {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    targets = List.copyOf(targets);
    packages = List.copyOf(packages);
    buildTags = List.copyOf(buildTags);
    buildFlags = List.copyOf(buildFlags);
    env = new TreeMap<>(env);
    perTarget = new TreeMap<>(perTarget);
    binaryNames = new TreeMap<>(binaryNames);
  }

  /**
   * The file name the binary of main package {@code importPath} ships under for {@code target}:
   * {@code go build}'s name, or the recipe's {@link #binaryNames}, with the target's {@code .exe}.
   */
  public String binaryFileName(String importPath, String builtName, Platform target) {
    String name = binaryNames.get(importPath);
    return name == null ? builtName : name + target.executableSuffix();
  }

  /** The {@code -ldflags} template of {@code target}: its own, else the recipe's; may be null. */
  public NameTemplate ldflagsFor(Platform target) {
    TargetVariant v = perTarget.get(target.toString());
    return v != null && v.ldflags() != null ? v.ldflags() : ldflags;
  }

  /** The environment of {@code target}: the recipe's with the target's own on top. */
  public SortedMap<String, String> envFor(Platform target) {
    TargetVariant v = perTarget.get(target.toString());
    SortedMap<String, String> all = new TreeMap<>(env);
    if (v != null) {
      all.putAll(v.env());
    }
    return all;
  }

  /** The same recipe for other targets (one part of a release built on several machines). */
  public Recipe withTargets(List<Platform> other) {
    return new Recipe(
        projectName,
        other,
        packages,
        ldflags,
        buildTags,
        trimpath,
        buildFlags,
        env,
        archive,
        perTarget,
        binaryNames);
  }

  /**
   * True when the binaries embed no build paths: without {@code -trimpath} a Go binary records the
   * directory it was built in, its GOROOT and its module cache.
   */
  public boolean pathIndependent() {
    return trimpath || buildFlags.contains("-trimpath");
  }
}
