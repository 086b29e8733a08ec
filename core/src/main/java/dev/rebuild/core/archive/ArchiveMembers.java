package dev.rebuild.core.archive;

import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Copies the regular-file members of a release archive ({@code .tar.gz}, {@code .tgz}, {@code
 * .zip}) out to files with their names and permission bits, so that a rebuilt archive can carry
 * them unchanged. Links, devices and names that would leave the archive are not copied; every
 * member and the member count are bounded.
 */
public final class ArchiveMembers {

  /** One member copied out: its name in the archive, its permission bits, where its bytes are. */
  public record Member(String name, int mode, Path file) {}

  /** What was not copied and why. */
  public record Skipped(String name, String reason) {}

  /** The members copied and the ones skipped. */
  public record Copied(List<Member> members, List<Skipped> skipped) {}

  private ArchiveMembers() {}

  /**
   * Copies every regular member of {@code archive} not named in {@code except} into {@code into}
   * (as {@code 0}, {@code 1}, ...; created if needed).
   *
   * @param maxBytes the most one member may hold
   * @throws IOException on a damaged archive or a member over {@code maxBytes}
   */
  public static Copied copy(Path archive, Set<String> except, Path into, long maxBytes)
      throws IOException {
    Files.createDirectories(into);
    List<Member> members = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    String lower = archive.getFileName().toString().toLowerCase(Locale.ROOT);
    if (lower.endsWith(".zip")) {
      try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
        List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
        if (entries.size() > ArchiveLimits.ENTRIES) {
          throw new IOException(entries.size() + " members, more than " + ArchiveLimits.ENTRIES);
        }
        for (ZipArchiveEntry e : entries) {
          if (e.isDirectory() || except.contains(e.getName())) {
            continue;
          }
          String why = why(e.getName(), e.isUnixSymlink(), true);
          if (why != null) {
            skipped.add(new Skipped(e.getName(), why));
            continue;
          }
          int mode = e.getUnixMode() & 07777;
          try (InputStream in = zip.getInputStream(e)) {
            members.add(store(in, e.getName(), mode == 0 ? 0644 : mode, into, members, maxBytes));
          }
        }
      }
      return new Copied(members, skipped);
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
        TarArchiveInputStream tar =
            new TarArchiveInputStream(
                lower.endsWith(".tar") ? raw : new GzipCompressorInputStream(raw))) {
      int index = 0;
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry(), index++) {
        if (index >= ArchiveLimits.ENTRIES) {
          throw new IOException("more than " + ArchiveLimits.ENTRIES + " members");
        }
        if (e.isDirectory() || except.contains(e.getName())) {
          continue;
        }
        String why = why(e.getName(), e.isSymbolicLink() || e.isLink(), e.isFile());
        if (why != null) {
          skipped.add(new Skipped(e.getName(), why));
          continue;
        }
        members.add(store(tar, e.getName(), e.getMode() & 07777, into, members, maxBytes));
      }
    }
    return new Copied(members, skipped);
  }

  private static String why(String name, boolean link, boolean regular) {
    if (name.startsWith("/") || name.contains("\\") || List.of(name.split("/")).contains("..")) {
      return "its name leaves the archive";
    }
    if (link) {
      return "a link";
    }
    return regular ? null : "not a regular file";
  }

  private static Member store(
      InputStream in, String name, int mode, Path into, List<Member> before, long maxBytes)
      throws IOException {
    Path file = into.resolve(Integer.toString(before.size()));
    try {
      Files.copy(new LimitedInputStream(in, maxBytes, name), file);
    } catch (LimitedInputStream.TooLarge e) {
      Files.deleteIfExists(file);
      throw new IOException(
          "member " + name + " holds more than " + ArchiveLimits.describe(maxBytes), e);
    }
    return new Member(name, mode, file);
  }
}
