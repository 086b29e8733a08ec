package dev.rebuild.core.buildinfo;

import java.util.Objects;

/**
 * One file an {@link ArtifactScanner} looked at.
 *
 * @param path relative to what was scanned, {@code /}-separated; archive members as {@code
 *     archive.tar.gz!dir/bin/x}
 * @param size the file's or member's size in bytes
 * @param result what reading it found
 */
public record ScannedFile(String path, long size, ReadResult result) {
  public ScannedFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(result, "result");
  }
}
