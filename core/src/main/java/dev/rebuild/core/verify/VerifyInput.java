package dev.rebuild.core.verify;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing to verify: a file, a directory or an archive, and how reports name it.
 *
 * @param name the name reports start the paths of its files with, e.g. {@code dist} or {@code
 *     dist/demo.tar.gz}; usually the path as the user wrote it
 * @param path where it is
 */
public record VerifyInput(String name, Path path) {
  public VerifyInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    name = name.replace('\\', '/');
  }

  /** Named by {@code path} itself. */
  public static VerifyInput of(Path path) {
    return new VerifyInput(path.toString(), path);
  }
}
