package dev.rebuild.core.image;

import java.util.List;

/**
 * What a rebuild produced.
 *
 * @param originalDigest the digest of the original's top-level index or manifest
 * @param reference the main reference, {@code registry/repo:tag}
 * @param digest the digest of the top-level index (multi-platform) or manifest
 * @param platforms one entry per rebuilt platform
 * @param pushedAnything false when the registry already held everything (a re-run)
 * @param pushedTags tags that were set or moved by this run
 */
public record ImageResult(
    String originalDigest,
    String reference,
    String digest,
    List<PlatformImage> platforms,
    boolean pushedAnything,
    List<String> pushedTags) {
  public ImageResult {
    platforms = List.copyOf(platforms);
    pushedTags = List.copyOf(pushedTags);
  }
}
