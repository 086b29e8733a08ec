package dev.rebuild.core.release;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.BuildInfoReader;
import dev.rebuild.core.buildinfo.ReadResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** {@link BinaryInspector} on the pure-Java build-info reader: no Go needed to read a binary. */
public final class BuildInfoInspector implements BinaryInspector {

  @Override
  public Optional<BinaryFacts> inspect(Path binary) throws IOException {
    if (BuildInfoReader.read(binary) instanceof ReadResult.GoBinary go) {
      BuildInfo info = go.info();
      return Optional.of(
          new BinaryFacts(
              info.goVersion(),
              info.path(),
              info.goos(),
              info.goarch(),
              info.setting("vcs.revision"),
              info.setting("vcs.modified")));
    }
    return Optional.empty();
  }
}
