package dev.rebuild.core.archive;

import dev.rebuild.core.recipe.ArchiveFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Writes deterministic archives: entries sorted by name, every time set to the tag commit's time,
 * owner 0:0 without names, fixed modes (0755 for directories and binaries). The same files and time
 * give the same bytes on every run and in every time zone.
 */
public final class ArchiveWriter {

  /** One file to pack: its path inside the archive and where it is on disk. */
  public record Entry(String name, Path file, int mode) {
    public Entry {
      if (name.startsWith("/") || name.contains("..") || name.contains("\\")) {
        throw new IllegalArgumentException("unsafe archive entry name: " + name);
      }
    }
  }

  private static final int DIR_MODE = 0755;

  private ArchiveWriter() {}

  /** Writes {@code entries} (and the directories above them) to {@code target}. */
  public static void write(ArchiveFormat format, Path target, List<Entry> entries, Instant mtime)
      throws IOException {
    // Every name in archive order; directories (ending in '/') map to null.
    TreeMap<String, Entry> names = new TreeMap<>();
    for (Entry e : entries) {
      String name = e.name();
      for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
        names.putIfAbsent(name.substring(0, i + 1), null);
      }
      names.put(name, e);
    }
    try (OutputStream out = Files.newOutputStream(target)) {
      switch (format) {
        case TAR_GZ -> writeTarGz(out, names, mtime);
        case ZIP -> writeZip(out, names, mtime);
      }
    }
  }

  private static void writeTarGz(OutputStream out, TreeMap<String, Entry> names, Instant mtime)
      throws IOException {
    // GZIPOutputStream writes no file name and a zero MTIME in its header: nothing varies.
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Map.Entry<String, Entry> named : names.entrySet()) {
        String name = named.getKey();
        Entry file = named.getValue();
        TarArchiveEntry te = new TarArchiveEntry(name, true);
        te.setModTime(mtime.toEpochMilli());
        te.setUserId(0);
        te.setGroupId(0);
        te.setUserName("");
        te.setGroupName("");
        if (file == null) {
          te.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | DIR_MODE);
          tar.putArchiveEntry(te);
        } else {
          te.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | file.mode());
          te.setSize(Files.size(file.file()));
          tar.putArchiveEntry(te);
          Files.copy(file.file(), tar);
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
  }

  private static void writeZip(OutputStream out, TreeMap<String, Entry> names, Instant mtime)
      throws IOException {
    // Zip stores local DOS time; converting through the system zone makes the stored fields
    // equal the commit's UTC time whatever zone this JVM runs in.
    long dosMillis =
        LocalDateTime.ofInstant(mtime, ZoneOffset.UTC)
            .atZone(ZoneId.systemDefault())
            .toInstant()
            .toEpochMilli();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
      for (Map.Entry<String, Entry> named : names.entrySet()) {
        String name = named.getKey();
        Entry file = named.getValue();
        ZipArchiveEntry ze = new ZipArchiveEntry(name);
        ze.setTime(dosMillis);
        ze.setUnixMode((file == null ? 040000 | DIR_MODE : 0100000 | file.mode()));
        zip.putArchiveEntry(ze);
        if (file != null) {
          Files.copy(file.file(), zip);
        }
        zip.closeArchiveEntry();
      }
      zip.finish();
    }
  }
}
