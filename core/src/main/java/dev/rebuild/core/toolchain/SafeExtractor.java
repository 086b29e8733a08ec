package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
 * ({@code ..}, absolute paths, links pointing out), and keeping executable bits.
 */
final class SafeExtractor {

  private static final String EMPTY_SHA256 = Digest.of(new byte[0]).hex();

  /** Go toolchains unpack to well under this; more means a broken or hostile archive. */
  static final long MAX_TOTAL_BYTES = 4L << 30;

  private SafeExtractor() {}

  /**
   * Unpacks a {@code .tar.gz} whose entries all sit under {@code prefix} (e.g. {@code go/}) into
   * {@code target}, without the prefix.
   */
  static void untarGz(Path archive, String prefix, Path target) throws IOException {
    Files.createDirectories(target);
    long total = 0;
    try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
        GzipCompressorInputStream gz = new GzipCompressorInputStream(file);
        TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String rel = relative(e.getName(), prefix, archive);
        if (rel.isEmpty()) {
          continue;
        }
        Path dest = inside(target, rel, e.getName(), archive);
        if (e.isDirectory()) {
          Files.createDirectories(dest);
        } else if (e.isSymbolicLink()) {
          String link = e.getLinkName();
          Path resolved = dest.getParent().resolve(link).normalize();
          if (Path.of(link).isAbsolute() || !resolved.startsWith(target)) {
            throw refuse(archive, e.getName(), "links outside the toolchain to " + link);
          }
          Files.createDirectories(dest.getParent());
          Files.createSymbolicLink(dest, Path.of(link));
        } else if (e.isFile()) {
          total += e.getSize();
          if (total > MAX_TOTAL_BYTES) {
            throw refuse(archive, e.getName(), "unpacks to more than " + MAX_TOTAL_BYTES);
          }
          Files.createDirectories(dest.getParent());
          Files.copy(tar, dest);
          if ((e.getMode() & 0111) != 0) {
            makeExecutable(dest);
          }
        } else {
          throw refuse(archive, e.getName(), "is neither a file, a directory nor a symlink");
        }
      }
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
      for (ZipArchiveEntry e : Collections.list(zf.getEntries())) {
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
          Files.createDirectories(dest);
          hashes.add(new ModuleHash.FileHash(e.getName(), EMPTY_SHA256));
          continue;
        }
        int mode = e.getUnixMode();
        if ((mode & 0170000) == 0120000) {
          throw refuse(archive, e.getName(), "is a symbolic link, which toolchain zips never hold");
        }
        total += Math.max(e.getSize(), 0);
        if (total > MAX_TOTAL_BYTES) {
          throw refuse(archive, e.getName(), "unpacks to more than " + MAX_TOTAL_BYTES);
        }
        Files.createDirectories(dest.getParent());
        MessageDigest sha = Digest.sha256();
        try (InputStream in = new DigestInputStream(zf.getInputStream(e), sha)) {
          Files.copy(in, dest);
        }
        hashes.add(new ModuleHash.FileHash(e.getName(), HexFormat.of().formatHex(sha.digest())));
        if ((mode & 0111) != 0) {
          makeExecutable(dest);
        }
      }
    }
    return hashes;
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
