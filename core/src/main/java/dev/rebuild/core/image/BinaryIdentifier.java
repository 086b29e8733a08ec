package dev.rebuild.core.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Tells whether a file taken out of a layer is a Go binary, and which main package it is. */
@FunctionalInterface
public interface BinaryIdentifier {

  /**
   * @return the main package path from the Go build info, or empty if {@code file} is no Go binary
   */
  Optional<String> mainPathOf(Path file) throws IOException;
}
