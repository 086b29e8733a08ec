package dev.rebuild.core.release;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads what a Go binary says about how it was built. */
public interface BinaryInspector {

  /** The build facts of {@code binary}, or empty when it is not a Go binary. */
  Optional<BinaryFacts> inspect(Path binary) throws IOException;

  /** The parts of a binary's build information the manifest records. */
  record BinaryFacts(
      String goVersion,
      String mainPath,
      String goos,
      String goarch,
      String vcsRevision,
      String vcsModified) {}
}
