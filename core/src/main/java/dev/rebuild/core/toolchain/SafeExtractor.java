package dev.rebuild.core.toolchain;

import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks toolchain archives below one directory, refusing entries that would land outside it
 * ({@code ..}, absolute paths), links of any kind, and archives that unpack to more than {@link
 * ArchiveLimits#TOOLCHAIN_BYTES} or hold more than {@link ArchiveLimits#ENTRIES} entries; keeps
 * executable bits.
 *
 * <p>Neither Go's release tarballs nor the {@code golang.org/toolchain} module zips hold a link
 * (go1.17 to go1.27 unpacked: none), so any link means a repacked archive. Refusing them is simpler
 * and safer than following where chained links lead; on top, every directory an entry is written
 * into is checked to be a real directory below the target, never a link.
 */
final class SafeExtractor {

  private static final String EMPTY_SHA256 = Digest.of(new byte[0]).hex();

  private SafeExtractor() {}

  /**
   * Unpacks a {@code .tar.gz} whose entries all sit under {@code prefix} (e.g. {@code go/}) into
   * {@code target}, without the prefix.
   */
  static void untarGz(Path archive, String prefix, Path target) throws IOException {
    Files.createDirectories(target);
    long total = 0;
    int entries = 0;
    try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
        GzipCompressorInputStream gz = new GzipCompressorInputStream(file);
        // Bounds all that is inflated: the data the tar stream skips (a directory entry can claim
        // gigabytes) as well as the files.
        InputStream limited =
            new LimitedInputStream(
                gz,
                ArchiveLimits.TOOLCHAIN_TAR_STREAM_BYTES,
                "the uncompressed tar stream of " + archive.getFileName());
        TarArchiveInputStream tar = new TarArchiveInputStream(limited)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        if (++entries > ArchiveLimits.ENTRIES) {
          throw refuse(
              archive, e.getName(), "takes the archive over " + ArchiveLimits.ENTRIES + " entries");
        }
        String rel = relative(e.getName(), prefix, archive);
        if (rel.isEmpty()) {
          continue;
        }
        Path dest = inside(target, rel, e.getName(), archive);
        if (e.isSymbolicLink() || e.isLink()) {
          throw refuse(
              archive,
              e.getName(),
              "is a link (to " + e.getLinkName() + "); Go toolchains hold none");
        } else if (e.isDirectory()) {
          directories(target, dest, e.getName(), archive);
        } else if (e.isFile() && !e.isSparse()) {
          long size = e.getSize();
          if (size > ArchiveLimits.TOOLCHAIN_BYTES - total) {
            throw tooLarge(archive, e.getName());
          }
          directories(target, dest.getParent(), e.getName(), archive);
          Files.copy(tar, dest);
          total += size;
          if ((e.getMode() & 0111) != 0) {
            makeExecutable(dest);
          }
        } else {
          throw refuse(archive, e.getName(), "is neither a plain file nor a directory");
        }
      }
    } catch (LimitedInputStream.TooLarge e) {
      throw new UnsafeArchive(
          "refusing to unpack " + archive.getFileName() + ": " + e.getMessage());
    }
  }

  /**
   * Unpacks a zip whose entries all sit under {@code prefix} into {@code target}, without the
   * prefix.
   *
   * @return every entry's name and content sha256, for the module hash, computed on the way
   */
  static List<ModuleHash.FileHash> unzip(Path archive, String prefix, Path target)
      throws IOException {
    Files.createDirectories(target);
    long total = 0;
    List<ModuleHash.FileHash> hashes = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (ZipFile zf = ZipFile.builder().setPath(archive).get()) {
      List<ZipArchiveEntry> all = Collections.list(zf.getEntries());
      if (all.size() > ArchiveLimits.ENTRIES) {
        throw new UnsafeArchive(
            "refusing to unpack "
                + archive.getFileName()
                + ": it holds "
                + all.size()
                + " entries, more than "
                + ArchiveLimits.ENTRIES);
      }
      for (ZipArchiveEntry e : all) {
        if (!seen.add(e.getName())) {
          throw refuse(archive, e.getName(), "appears twice");
        }
        String rel = relative(e.getName(), prefix, archive);
        if (rel.isEmpty()) {
          hashes.add(new ModuleHash.FileHash(e.getName(), EMPTY_SHA256));
          continue;
        }
        Path dest = inside(target, rel, e.getName(), archive);
        if (e.isDirectory()) {
          directories(target, dest, e.getName(), archive);
          hashes.add(new ModuleHash.FileHash(e.getName(), EMPTY_SHA256));
          continue;
        }
        int mode = e.getUnixMode();
        if ((mode & 0170000) == 0120000) {
          throw refuse(archive, e.getName(), "is a symbolic link, which toolchain zips never hold");
        }
        if (e.getSize() > ArchiveLimits.TOOLCHAIN_BYTES - total) {
          throw tooLarge(archive, e.getName());
        }
        directories(target, dest.getParent(), e.getName(), archive);
        MessageDigest sha = Digest.sha256();
        // The size in the zip's directory is the archive's word: the inflated bytes are counted,
        // and more of them than the directory declares is a lie or damage.
        long remaining = ArchiveLimits.TOOLCHAIN_BYTES - total;
        long limit = e.getSize() >= 0 ? Math.min(e.getSize(), remaining) : remaining;
        try (LimitedInputStream in =
            new LimitedInputStream(
                new DigestInputStream(zf.getInputStream(e), sha),
                limit,
                "entry '" + e.getName() + "' (" + e.getSize() + " bytes declared)")) {
          Files.copy(in, dest);
          total += in.count();
        } catch (LimitedInputStream.TooLarge ex) {
          throw new UnsafeArchive(
              "refusing to unpack " + archive.getFileName() + ": " + ex.getMessage());
        }
        hashes.add(new ModuleHash.FileHash(e.getName(), HexFormat.of().formatHex(sha.digest())));
        if ((mode & 0111) != 0) {
          makeExecutable(dest);
        }
      }
    }
    return hashes;
  }

  private static IOException tooLarge(Path archive, String entry) {
    return refuse(
        archive,
        entry,
        "takes the archive over "
            + ArchiveLimits.describe(ArchiveLimits.TOOLCHAIN_BYTES)
            + " unpacked, far more than any Go toolchain");
  }

  /**
   * Creates {@code dir} and its parents below {@code target} one at a time, each checked to be a
   * directory and not a link, so that no entry is ever written through a link.
   */
  private static void directories(Path target, Path dir, String name, Path archive)
      throws IOException {
    if (dir.equals(target)) {
      return;
    }
    Path p = target;
    for (Path part : target.relativize(dir)) {
      p = p.resolve(part);
      if (Files.isSymbolicLink(p)) {
        throw refuse(archive, name, "would be written through the link " + target.relativize(p));
      }
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createDirectory(p);
        } catch (FileAlreadyExistsException ex) {
          throw refuse(archive, name, "needs " + target.relativize(p) + " as a directory");
        }
      }
    }
  }

  private static String relative(String name, String prefix, Path archive) throws IOException {
    String n = name.replace('\\', '/');
    if (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (!n.startsWith(prefix) && !(n + "/").equals(prefix)) {
      throw refuse(archive, name, "is not under " + prefix);
    }
    return n.length() <= prefix.length() ? "" : n.substring(prefix.length());
  }

  private static Path inside(Path target, String rel, String name, Path archive)
      throws IOException {
    if (rel.startsWith("/") || rel.matches("^[A-Za-z]:.*")) {
      throw refuse(archive, name, "has an absolute path");
    }
    for (String part : rel.split("/")) {
      if (part.equals("..")) {
        throw refuse(archive, name, "climbs out with '..'");
      }
    }
    Path dest = target.resolve(rel).normalize();
    if (!dest.startsWith(target) || dest.equals(target)) {
      throw refuse(archive, name, "lands outside the toolchain directory");
    }
    return dest;
  }

  static void makeExecutable(Path file) throws IOException {
    try {
      Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(file));
      perms.add(PosixFilePermission.OWNER_EXECUTE);
      perms.add(PosixFilePermission.GROUP_EXECUTE);
      perms.add(PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(file, perms);
    } catch (UnsupportedOperationException e) {
      // Windows has no execute bits: .exe files run as they are.
    }
  }

  private static IOException refuse(Path archive, String entry, String why) {
    return new UnsafeArchive(
        "refusing to unpack " + archive.getFileName() + ": entry '" + entry + "' " + why);
  }

  /** The archive tried to write outside its directory or is otherwise not a toolchain. */
  static final class UnsafeArchive extends IOException {
    private static final long serialVersionUID = 1L;

    UnsafeArchive(String message) {
      super(message);
    }
  }
}
