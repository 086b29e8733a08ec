package dev.rebuild.core.pipeline;

import dev.rebuild.core.RebuildException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;

/**
 * An exclusive lock on one tag directory, so that two runs on the same output cannot interleave.
 * The operating system releases it when the process dies, even by {@code kill -9}; the lock file
 * names the holder (pid, host, start time) for the message the second run gets.
 */
public final class TagLock implements AutoCloseable {

  /** The lock file's name next to the tag directory's contents. */
  public static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private TagLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code tagDirectory} (created if needed), or fails at once naming the holder.
   */
  public static TagLock acquire(Path tagDirectory, Clock clock) throws RebuildException {
    Path file = tagDirectory.resolve(FILE);
    FileChannel ch = null;
    try {
      Files.createDirectories(tagDirectory);
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        String holder = holder(ch);
        ch.close();
        throw RebuildException.badInput(
            "outputDirectory",
            "another rebuild is working in "
                + tagDirectory
                + " ("
                + (holder.isBlank() ? "holder unknown" : holder)
                + ")\nWait for it to finish, or give this run another rebuild.outputDirectory.");
      }
      byte[] me =
          ("pid "
                  + ProcessHandle.current().pid()
                  + " on "
                  + host()
                  + " since "
                  + DateTimeFormatter.ISO_INSTANT.format(clock.instant()))
              .getBytes(StandardCharsets.UTF_8);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(me), 0);
      ch.force(true);
      return new TagLock(ch, l);
    } catch (IOException e) {
      closeQuietly(ch);
      throw RebuildException.badInput(
          "outputDirectory",
          "cannot lock "
              + file
              + " ("
              + e.getMessage()
              + ")\nSet rebuild.outputDirectory to a writable local directory.");
    }
  }

  private static String holder(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(512);
    ch.read(buf, 0);
    buf.flip();
    return StandardCharsets.UTF_8.decode(buf).toString().trim();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // Closing a channel we could not use changes nothing.
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel below releases the lock as well.
    }
    closeQuietly(channel);
  }
}
