package dev.rebuild.core.image;

import dev.rebuild.core.model.Platform;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A binary the rebuild produced, to be put where the original image had the binary of the same main
 * package and platform.
 *
 * @param mainPath the main package path from the binary's build info, e.g. {@code
 *     example.com/app/cmd/foo}
 */
public record RebuiltBinary(Platform platform, String mainPath, Path file) {
  public RebuiltBinary {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(mainPath, "mainPath");
    Objects.requireNonNull(file, "file");
  }
}
