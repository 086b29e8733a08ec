package dev.rebuild.core.image;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.BuildInfoReader;
import dev.rebuild.core.buildinfo.ReadResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Identifies Go binaries by the build information Go embeds, read in Java.
 *
 * <p>A damaged Go binary is an error rather than "not Go": it might be an old Go binary that the
 * rebuild would otherwise leave in the image.
 */
public final class GoBuildInfoIdentifier implements BinaryIdentifier {

  @Override
  public Optional<String> mainPathOf(Path file) throws IOException {
    return buildInfo(file).map(BuildInfo::path);
  }

  /** The build information of a Go binary; empty when {@code file} is no Go binary. */
  static Optional<BuildInfo> buildInfo(Path file) throws IOException {
    ReadResult r = BuildInfoReader.read(file);
    if (r instanceof ReadResult.GoBinary g) {
      return Optional.of(g.info());
    }
    if (r instanceof ReadResult.Corrupt c) {
      throw new IOException("damaged executable, cannot tell whether it is Go: " + c.reason());
    }
    return Optional.empty();
  }
}
