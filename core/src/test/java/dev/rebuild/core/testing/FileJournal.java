package dev.rebuild.core.testing;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.PublishRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A destination's journal as a file, the way the publish phase keeps it in {@code publish/}: each
 * save replaces the file atomically. It counts saves, so a test can check one save per file.
 */
public final class FileJournal implements Destination.Journal {

  private final Path file;
  private final String manifestSha256;
  public final List<PublishRecord> saved = new ArrayList<>();

  public FileJournal(Path file, String manifestSha256) {
    this.file = file;
    this.manifestSha256 = manifestSha256;
  }

  @Override
  public Optional<PublishRecord> previous() {
    return Files.exists(file)
        ? PublishRecord.read(file).filter(r -> manifestSha256.equals(r.manifestSha256()))
        : Optional.empty();
  }

  @Override
  public void save(PublishRecord record) throws RebuildException {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      FileTrees.writeAtomically(file, record.toJson());
    } catch (IOException e) {
      throw RebuildException.tool("cannot write " + file, e);
    }
    saved.add(record);
  }
}
