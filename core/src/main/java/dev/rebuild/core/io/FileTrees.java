package dev.rebuild.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File-system helpers the stages share. */
public final class FileTrees {

  private FileTrees() {}

  /** Deletes {@code dir} and everything below it; nothing happens when it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> s = Files.walk(dir)) {
      all = s.sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
    }
    for (Path p : all) {
      Files.delete(p);
    }
  }

  /**
   * Writes {@code bytes} to a temporary sibling and moves it over {@code target}, so that a reader
   * sees the old or the new content, never part of it. Each call has a temporary file of its own:
   * concurrent writers (threads or processes) then each publish a complete content, the last move
   * winning.
   */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    write(target, bytes, false);
  }

  /**
   * As {@link #writeAtomically}, with the temporary file forced to disk before the move: the run
   * after a power loss, not only after a killed process, sees the old content or the new.
   */
  public static void writeDurably(Path target, byte[] bytes) throws IOException {
    write(target, bytes, true);
  }

  private static void write(Path target, byte[] bytes, boolean force) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        if (force) {
          ch.force(true);
        }
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
