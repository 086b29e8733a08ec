package dev.rebuild.core.infer;

import dev.rebuild.core.archive.ArchiveWriter;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.Recipe;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A recipe read from the original release's own artifacts, with where every value came from.
 *
 * @param recipe what the rebuild builds: the inferred values with the explicit ones on top
 * @param sources per recipe parameter, the value and what it was read from, in parameter order
 * @param notes what the user should know: literals left literal, a C toolchain needed, the rebuild
 *     label put into the names, explicit values that contradict the original, files ignored
 * @param originals per target, the original artifact its binaries are compared with
 * @param extraMembers per target, the non-binary members of the original archive (LICENSE, README,
 *     ...) as the rebuilt archive holds them, unchanged, with their modes
 */
public record InferredRecipe(
    Recipe recipe,
    List<Source> sources,
    List<String> notes,
    SortedMap<Platform, Path> originals,
    SortedMap<Platform, List<ArchiveWriter.Entry>> extraMembers) {

  public InferredRecipe {
    sources = List.copyOf(sources);
    notes = List.copyOf(notes);
    originals = new TreeMap<>(originals);
    extraMembers = new TreeMap<>(extraMembers);
  }

  /**
   * One value of the recipe and its source.
   *
   * @param parameter the POM parameter ({@code ldflags}, {@code archive.name}, ...)
   * @param from {@code explicit}, or the original artifact (and member, setting) it was read from
   */
  public record Source(String parameter, String value, String from) {}

  /** The extra members of {@code target}'s archive; empty for a target without any. */
  public List<ArchiveWriter.Entry> extraMembers(Platform target) {
    return extraMembers.getOrDefault(target, List.of());
  }

  /** Per target, the original artifact's file name. */
  public Map<Platform, String> originalNames() {
    Map<Platform, String> names = new TreeMap<>();
    originals.forEach((p, f) -> names.put(p, f.getFileName().toString()));
    return names;
  }
}
