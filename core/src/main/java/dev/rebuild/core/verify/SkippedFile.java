package dev.rebuild.core.verify;

import java.util.Objects;

/**
 * A file that is not a Go binary (a README, a licence, a C program) or that could not be read as
 * one.
 *
 * @param path as in {@link VerifiedBinary#path()}
 * @param size in bytes
 * @param reason why it was not verified
 * @param corrupt true when it looked like an executable or archive member but its structure or
 *     build information is damaged; false for plain non-Go files
 */
public record SkippedFile(String path, long size, String reason, boolean corrupt) {
  public SkippedFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }
}
