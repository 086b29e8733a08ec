package dev.rebuild.core.image;

import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.Digest;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Reads layer tars for Go binaries and writes rewritten or new layers, deterministically. */
final class Layers {

  /** A Go binary found in a layer; {@code header} is its tar entry as it was. */
  record GoFile(int layer, String path, String mainPath, TarArchiveEntry header) {}

  /** A layer written by this rebuild: gzip-compressed tar. */
  record WrittenLayer(Path file, String digest, long size, String diffId) {}

  /** A file for a new layer: the original's header, the rebuilt content. */
  record NewEntry(TarArchiveEntry header, Path content) {}

  private Layers() {}

  /** The path of an entry as the container sees it: no leading {@code ./} or {@code /}. */
  static String normalize(String name) {
    String n = name;
    while (n.startsWith("./") || n.startsWith("/")) {
      n = n.startsWith("./") ? n.substring(2) : n.substring(1);
    }
    return n;
  }

  /** Opens a layer blob as an uncompressed tar stream, gzip or plain. */
  static InputStream openTar(Path layer) throws IOException, ImageException {
    InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 16);
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    if (magic.length == 4
        && (magic[0] & 0xff) == 0x28
        && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      in.close();
      throw new ImageException(
          "layer " + layer.getFileName() + " is zstd-compressed, which this version cannot read");
    }
    return in;
  }

  private static boolean executableMagic(byte[] m) {
    if (m.length < 4) {
      return false;
    }
    int a = m[0] & 0xff, b = m[1] & 0xff, c = m[2] & 0xff, d = m[3] & 0xff;
    boolean elf = a == 0x7f && b == 'E' && c == 'L' && d == 'F';
    boolean pe = a == 'M' && b == 'Z';
    boolean machO =
        (a == 0xfe && b == 0xed && c == 0xfa && (d == 0xce || d == 0xcf))
            || ((a == 0xce || a == 0xcf) && b == 0xfa && c == 0xed && d == 0xfe);
    return elf || pe || machO;
  }

  /**
   * Every Go binary among the regular files of a layer. Executables are copied to {@code tmpDir}
   * one at a time to be read; one over {@link ArchiveLimits#MEMBER_BYTES} fails the scan rather
   * than fill the disk or be left unexamined in the image.
   */
  static List<GoFile> scan(Path layer, int index, BinaryIdentifier identifier, Path tmpDir)
      throws IOException, ImageException {
    return scan(layer, index, identifier, tmpDir, null);
  }

  /**
   * As {@link #scan(Path, int, BinaryIdentifier, Path)}; with {@code keep}, each Go binary found is
   * kept there under its file name (replacing one of the same name an earlier layer left).
   */
  static List<GoFile> scan(
      Path layer, int index, BinaryIdentifier identifier, Path tmpDir, Path keep)
      throws IOException, ImageException {
    List<GoFile> found = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(openTar(layer))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (!e.isFile() || e.isLink() || e.getSize() < 64) {
          continue;
        }
        byte[] head = tar.readNBytes(4);
        if (!executableMagic(head)) {
          continue;
        }
        String path = normalize(e.getName());
        // A sparse entry's real size is what reading it yields.
        long size = Math.max(e.getSize(), e.getRealSize());
        if (size > ArchiveLimits.MEMBER_BYTES) {
          throw new IOException(
              "/"
                  + path
                  + " is an executable of "
                  + size
                  + " bytes, over the "
                  + ArchiveLimits.describe(ArchiveLimits.MEMBER_BYTES)
                  + " this rebuild copies out of a layer to look for Go build info");
        }
        Path tmp = Files.createTempFile(tmpDir, "bin", "");
        try {
          try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(head);
            new LimitedInputStream(tar, ArchiveLimits.MEMBER_BYTES - head.length, "/" + path)
                .transferTo(out);
          }
          Optional<String> main;
          try {
            main = identifier.mainPathOf(tmp);
          } catch (IOException ex) {
            throw new IOException("/" + path + ": " + ex.getMessage(), ex);
          }
          if (main.isPresent()) {
            found.add(new GoFile(index, path, main.get(), e));
            if (keep != null) {
              Files.move(
                  tmp,
                  keep.resolve(path.substring(path.lastIndexOf('/') + 1)),
                  java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
          }
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
    return found;
  }

  /**
   * Copies a layer entry by entry, replacing the content of the regular files named in {@code
   * replacements} (normalized path to new content) and keeping every header field but the size.
   */
  static WrittenLayer rewrite(Path layer, Map<String, Path> replacements, Path out)
      throws IOException, ImageException {
    return write(
        out,
        tarOut -> {
          try (TarArchiveInputStream tar = new TarArchiveInputStream(openTar(layer))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
              Path replacement =
                  e.isFile() && !e.isLink() ? replacements.get(normalize(e.getName())) : null;
              if (replacement != null) {
                // The input stream reads the entry's size to find the next header: lend the entry
                // the new size for writing its header only.
                long size = e.getSize();
                e.setSize(Files.size(replacement));
                tarOut.putArchiveEntry(e);
                e.setSize(size);
                Files.copy(replacement, tarOut);
              } else {
                tarOut.putArchiveEntry(e);
                if (e.isFile() && !e.isLink()) {
                  tar.transferTo(tarOut);
                }
              }
              tarOut.closeArchiveEntry();
            }
          }
        });
  }

  /** A new layer holding {@code entries} in path order. */
  static WrittenLayer create(List<NewEntry> entries, Path out) throws IOException, ImageException {
    List<NewEntry> sorted =
        entries.stream()
            .sorted((x, y) -> x.header().getName().compareTo(y.header().getName()))
            .toList();
    return write(
        out,
        tarOut -> {
          for (NewEntry n : sorted) {
            TarArchiveEntry e = n.header();
            e.setSize(Files.size(n.content()));
            tarOut.putArchiveEntry(e);
            Files.copy(n.content(), tarOut);
            tarOut.closeArchiveEntry();
          }
        });
  }

  private interface TarBody {
    void write(TarArchiveOutputStream out) throws IOException, ImageException;
  }

  private static WrittenLayer write(Path out, TarBody body) throws IOException, ImageException {
    MessageDigest compressed = Digest.sha256();
    MessageDigest uncompressed = Digest.sha256();
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
        DigestOutputStream cd = new DigestOutputStream(file, compressed);
        // GZIPOutputStream writes a fixed header (no name, mtime 0), so the bytes depend only on
        // the content.
        GZIPOutputStream gz = new GZIPOutputStream(cd, 1 << 16);
        DigestOutputStream ud = new DigestOutputStream(gz, uncompressed);
        // The tar stream writes 512-byte records: hand the deflater larger chunks.
        BufferedOutputStream buffered = new BufferedOutputStream(ud, 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(buffered, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      body.write(tar);
      tar.finish();
    }
    HexFormat hex = HexFormat.of();
    return new WrittenLayer(
        out,
        "sha256:" + hex.formatHex(compressed.digest()),
        Files.size(out),
        "sha256:" + hex.formatHex(uncompressed.digest()));
  }
}
