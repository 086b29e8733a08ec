package dev.rebuild.core.image;

import dev.rebuild.core.model.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One platform of a rebuilt image.
 *
 * @param originalDigest the original platform manifest's digest
 * @param digest the new platform manifest's digest
 * @param replacedPaths the paths of the binaries that were replaced, sorted
 * @param newLayers digests of the layers this rebuild wrote (all others are the original's)
 * @param binaries each replaced path (as in {@code replacedPaths}) to the rebuilt binary put there
 */
public record PlatformImage(
    Platform platform,
    String originalDigest,
    String digest,
    List<String> replacedPaths,
    List<String> newLayers,
    SortedMap<String, Path> binaries) {
  public PlatformImage {
    replacedPaths = List.copyOf(replacedPaths);
    newLayers = List.copyOf(newLayers);
    binaries = new TreeMap<>(binaries);
  }
}
