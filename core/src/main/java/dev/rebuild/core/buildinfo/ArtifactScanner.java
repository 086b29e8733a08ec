package dev.rebuild.core.buildinfo;

import dev.rebuild.core.buildinfo.ReadResult.Corrupt;
import dev.rebuild.core.buildinfo.ReadResult.NotGo;
import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads Go build information from a file, every file under a directory (recursively, sorted), and
 * every member of {@code .tar.gz}, {@code .tgz}, {@code .tar} and {@code .zip} archives among them.
 *
 * <p>Archive members are never unpacked to disk: each is streamed once, keeping its first 64 KiB
 * (the headers) and a forward window, which is all the Go 1.18+ layout needs. A Go 1.13-1.17 binary
 * points back into bytes the stream has passed; only then is that one member copied to a temporary
 * file in {@code tempDirectory}, read, and deleted at once. Member names that would escape the
 * archive ({@code ../x}, {@code /x}) are reported as {@link Corrupt}, never read. Symbolic links on
 * disk are not followed; links inside archives are reported as {@link NotGo}. A member over {@link
 * ArchiveLimits#MEMBER_BYTES} is reported as {@link Corrupt}, never read; an archive of more than
 * {@link ArchiveLimits#ENTRIES} members is reported as damaged.
 */
public final class ArtifactScanner {
  private final Path tempDirectory;

  /** Spills Go 1.13-1.17 archive members into {@code tempDirectory}. */
  public ArtifactScanner(Path tempDirectory) {
    this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory");
  }

  /** Spills into {@code java.io.tmpdir}. */
  public ArtifactScanner() {
    this(Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * Scans a file, a directory or an archive; archives are recognised by their name.
   *
   * @throws IOException when the file system fails; damaged content is a result
   */
  public List<ScannedFile> scan(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files =
            walk.filter(
                    p ->
                        Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.isSymbolicLink(p))
                .sorted((a, b) -> relative(path, a).compareTo(relative(path, b)))
                .toList();
      }
      List<ScannedFile> out = new ArrayList<>();
      for (Path file : files) {
        if (Files.isSymbolicLink(file)) {
          out.add(
              new ScannedFile(
                  relative(path, file),
                  0,
                  new NotGo("link to " + Files.readSymbolicLink(file) + ", not followed")));
        } else {
          out.addAll(scanFile(file, relative(path, file)));
        }
      }
      return out;
    }
    Path name = path.getFileName();
    return scanFile(path, name == null ? path.toString() : name.toString());
  }

  /**
   * Scans the members of an archive whatever its name (e.g. an image layer blob), recognising gzip,
   * zip and tar by their content; members are named {@code displayName!member}.
   */
  public List<ScannedFile> scanArchive(Path archive, String displayName) throws IOException {
    byte[] head = new byte[512];
    int n;
    try (InputStream in = Files.newInputStream(archive)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return scanTar(archive, displayName, true);
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return scanZip(archive, displayName);
    }
    if (TarArchiveInputStream.matches(head, n)) {
      return scanTar(archive, displayName, false);
    }
    return List.of(
        new ScannedFile(
            displayName, Files.size(archive), new NotGo("not a tar, tar.gz or zip archive")));
  }

  private List<ScannedFile> scanFile(Path file, String display) throws IOException {
    String lower = display.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
      return scanTar(file, display, true);
    }
    if (lower.endsWith(".tar")) {
      return scanTar(file, display, false);
    }
    if (lower.endsWith(".zip")) {
      return scanZip(file, display);
    }
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      return List.of(new ScannedFile(display, ch.size(), BuildInfoReader.read(ch, display)));
    }
  }

  private List<ScannedFile> scanTar(Path archive, String display, boolean gzip) throws IOException {
    List<ScannedFile> out = new ArrayList<>();
    try (TarArchiveInputStream tar = openTar(archive, gzip)) {
      int index = 0;
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry(), index++) {
        if (index >= ArchiveLimits.ENTRIES) {
          throw new IOException("more than " + ArchiveLimits.ENTRIES + " members");
        }
        if (e.isDirectory()) {
          continue;
        }
        String member = display + "!" + e.getName();
        // A sparse member's real size is what reading it yields.
        long size = Math.max(e.getSize(), e.getRealSize());
        String unsafe = unsafeName(e.getName());
        ReadResult result;
        if (unsafe != null) {
          result = new Corrupt("archive member name " + unsafe + "; not read");
        } else if (e.isSymbolicLink() || e.isLink()) {
          result = new NotGo("link to " + e.getLinkName() + ", not followed");
        } else if (!e.isFile()) {
          result = new NotGo("not a regular file");
        } else if (size > ArchiveLimits.MEMBER_BYTES) {
          result = tooLarge(size);
        } else {
          int at = index;
          result = readMember(tar, size, () -> tarMember(archive, gzip, at));
        }
        out.add(new ScannedFile(member, Math.max(size, 0), result));
      }
    } catch (IOException e) {
      if (!Files.isReadable(archive)) {
        throw e;
      }
      return damaged(archive, display, e);
    }
    return out;
  }

  private List<ScannedFile> scanZip(Path archive, String display) throws IOException {
    List<ScannedFile> out = new ArrayList<>();
    try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
      List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
      if (entries.size() > ArchiveLimits.ENTRIES) {
        throw new IOException(entries.size() + " members, more than " + ArchiveLimits.ENTRIES);
      }
      for (ZipArchiveEntry e : entries) {
        if (e.isDirectory()) {
          continue;
        }
        String member = display + "!" + e.getName();
        String unsafe = unsafeName(e.getName());
        ReadResult result;
        if (unsafe != null) {
          result = new Corrupt("archive member name " + unsafe + "; not read");
        } else if (e.isUnixSymlink()) {
          result = new NotGo("symbolic link, not followed");
        } else if (!zip.canReadEntryData(e)) {
          result = new Corrupt("zip member uses an unsupported compression or encryption");
        } else if (e.getSize() > ArchiveLimits.MEMBER_BYTES) {
          result = tooLarge(e.getSize());
        } else {
          try (InputStream in = zip.getInputStream(e)) {
            result = readMember(in, e.getSize(), () -> zip.getInputStream(e));
          }
        }
        out.add(new ScannedFile(member, Math.max(e.getSize(), 0), result));
      }
    } catch (IOException e) {
      if (!Files.isReadable(archive)) {
        throw e;
      }
      return damaged(archive, display, e);
    }
    return out;
  }

  private static List<ScannedFile> damaged(Path archive, String display, IOException e)
      throws IOException {
    // No partial member list: the archive as a whole is reported.
    return List.of(
        new ScannedFile(
            display,
            Files.size(archive),
            new Corrupt("damaged archive: " + Objects.toString(e.getMessage(), e.toString()))));
  }

  private static ReadResult tooLarge(long size) {
    return new Corrupt(
        "archive member of "
            + size
            + " bytes, over the "
            + ArchiveLimits.describe(ArchiveLimits.MEMBER_BYTES)
            + " limit; not read");
  }

  /** Opens a member's bytes again, from its start. */
  private interface Reopen {
    InputStream open() throws IOException;
  }

  private ReadResult readMember(InputStream in, long size, Reopen reopen) throws IOException {
    if (size < 0) {
      return spill(reopen);
    }
    try {
      return BuildInfoReader.read(new ForwardSource(in, size));
    } catch (ForwardSource.Rewind rewind) {
      return spill(reopen);
    }
  }

  /** Reads one member from a temporary copy that is deleted straight after. */
  private ReadResult spill(Reopen reopen) throws IOException {
    Files.createDirectories(tempDirectory);
    Path tmp = Files.createTempFile(tempDirectory, "rebuild-buildinfo-", ".member");
    try {
      // A zip member may inflate to more than its declared size: what is copied is bounded.
      try (InputStream in =
          new LimitedInputStream(reopen.open(), ArchiveLimits.MEMBER_BYTES, "archive member")) {
        Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      try (SeekableByteChannel ch = Files.newByteChannel(tmp, StandardOpenOption.READ)) {
        return BuildInfoReader.read(ch, tmp.toString());
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The index-th entry's stream of a freshly opened tar; closing it closes the archive. */
  private static InputStream tarMember(Path archive, boolean gzip, int index) throws IOException {
    TarArchiveInputStream tar = openTar(archive, gzip);
    try {
      for (int i = 0; i <= index; i++) {
        if (tar.getNextEntry() == null) {
          throw new IOException("archive changed while it was read: " + archive);
        }
      }
      return tar;
    } catch (IOException e) {
      tar.close();
      throw e;
    }
  }

  private static TarArchiveInputStream openTar(Path archive, boolean gzip) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
    try {
      return new TarArchiveInputStream(gzip ? new GzipCompressorInputStream(raw, true) : raw);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  /** Why a member name is unsafe to follow, or null. */
  static String unsafeName(String name) {
    if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
      return "'" + name + "' is absolute";
    }
    for (String part : name.split("[/\\\\]")) {
      if (part.equals("..")) {
        return "'" + name + "' climbs out of the archive (..)";
      }
    }
    return null;
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }
}
