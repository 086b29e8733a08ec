package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.testing.Bombs;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives written to escape the toolchain directory through links, or to fill the disk: none may
 * write outside {@code out/goroot}, and none may unpack more than the documented bounds.
 */
class SafeExtractorHostileTest {

  @TempDir Path tmp;

  private Path target() {
    return tmp.resolve("out/goroot");
  }

  private String refusal(Path archive, boolean zip) {
    IOException e =
        assertThrows(
            SafeExtractor.UnsafeArchive.class,
            () -> {
              if (zip) {
                SafeExtractor.unzip(archive, "go/", target());
              } else {
                SafeExtractor.untarGz(archive, "go/", target());
              }
            });
    return e.getMessage();
  }

  private Path tarGz(String name, Fixtures.TarBody body) throws IOException {
    return Files.write(tmp.resolve(name), Fixtures.tarGz(body));
  }

  /** Every regular file under {@code dir}'s parent that is not inside {@code dir}. */
  private long filesOutside() throws IOException {
    try (Stream<Path> s = Files.walk(tmp.resolve("out"))) {
      return s.filter(Files::isRegularFile).filter(p -> !p.startsWith(target())).count();
    }
  }

  @Test
  void chainedLinksDoNotCarryAWriteOutside() throws Exception {
    // s2 -> . and s1 -> s2/.. each look inside on their own; together s1 is the target's parent.
    Path a =
        tarGz(
            "chain.tar.gz",
            tar -> {
              Fixtures.symlink(tar, "go/s2", ".");
              Fixtures.symlink(tar, "go/s1", "s2/..");
              Fixtures.bytes(tar, "go/s1/x", "escaped".getBytes(), 0644);
            });
    String ma = refusal(a, false);
    assertTrue(ma.contains("'go/s2' is a link"), ma);
    assertFalse(Files.exists(tmp.resolve("out/x")));
    assertEquals(0, filesOutside());
  }

  @Test
  void dotDotThroughALinkDoesNotCarryAWriteOutside() throws Exception {
    Path a =
        tarGz(
            "updot.tar.gz",
            tar -> {
              Fixtures.bytes(tar, "go/sub/keep", "k".getBytes(), 0644);
              Fixtures.symlink(tar, "go/sub/up", "..");
              Fixtures.symlink(tar, "go/l", "sub/up/..");
              Fixtures.bytes(tar, "go/l/x", "escaped".getBytes(), 0644);
            });
    String ma = refusal(a, false);
    assertTrue(ma.contains("'go/sub/up' is a link"), ma);
    assertEquals(0, filesOutside());
  }

  @Test
  void entriesNamedThroughAnEarlierLinkedDirectoryAreRefused() throws Exception {
    Path a =
        tarGz(
            "through.tar.gz",
            tar -> {
              Fixtures.bytes(tar, "go/real/keep", "k".getBytes(), 0644);
              Fixtures.symlink(tar, "go/alias", "real");
              Fixtures.bytes(tar, "go/alias/x", "x".getBytes(), 0644);
            });
    String ma = refusal(a, false);
    assertTrue(ma.contains("'go/alias' is a link"), ma);
    assertFalse(Files.exists(target().resolve("real/x")));
  }

  @Test
  void hardLinksAreRefusedWhereverTheyPoint() throws Exception {
    for (String to : new String[] {"../../../etc/passwd", "/etc/passwd", "go/alias"}) {
      Path a =
          tarGz(
              "hard.tar.gz",
              tar -> {
                Fixtures.symlink(tar, "go/alias", "/etc/passwd");
                TarArchiveEntry h = new TarArchiveEntry("go/h", TarArchiveEntry.LF_LINK);
                h.setLinkName(to);
                tar.putArchiveEntry(h);
                tar.closeArchiveEntry();
              });
      String ma = refusal(a, false);
      assertTrue(ma.contains("is a link"), ma);
      Path b =
          tarGz(
              "hardonly.tar.gz",
              tar -> {
                TarArchiveEntry h = new TarArchiveEntry("go/h", TarArchiveEntry.LF_LINK);
                h.setLinkName(to);
                tar.putArchiveEntry(h);
                tar.closeArchiveEntry();
              });
      String mb = refusal(b, false);
      assertTrue(mb.contains("'go/h' is a link (to " + to), mb);
      assertEquals(0, filesOutside());
    }
  }

  @Test
  void aLinkAlreadyInTheTargetIsNotWrittenThrough() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createDirectories(target());
    Files.createSymbolicLink(target().resolve("bin"), elsewhere);
    Path a = tarGz("bin.tar.gz", tar -> Fixtures.bytes(tar, "go/bin/go", "x".getBytes(), 0755));
    String ma = refusal(a, false);
    assertTrue(ma.contains("written through the link bin"), ma);
    Path z =
        Files.write(tmp.resolve("bin.zip"), Fixtures.zipWith("go/bin/go", 0100755, new byte[1]));
    String mz = refusal(z, true);
    assertTrue(mz.contains("written through the link bin"), mz);
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void aTarMemberOverTheBoundIsRefusedBeforeAByteIsWritten() throws Exception {
    long size = ArchiveLimits.TOOLCHAIN_BYTES + 1;
    Path bomb = Bombs.tarGz(tmp.resolve("bomb.tar.gz"), size, "go/bin/go");
    assertTrue(Files.size(bomb) < 4 << 20, "a small file: " + Files.size(bomb));
    String mbomb = refusal(bomb, false);
    assertTrue(mbomb.contains("over 1 GiB unpacked"), mbomb);
    assertFalse(Files.exists(target().resolve("bin/go")));
  }

  @Test
  void dataTheTarStreamSkipsIsBoundedToo() throws Exception {
    // The entry "go" is the prefix itself and is skipped, not written: its data is inflated all
    // the same.
    TarArchiveEntry skipped = new TarArchiveEntry("go");
    skipped.setSize(ArchiveLimits.TOOLCHAIN_TAR_STREAM_BYTES);
    byte[] head = Bombs.header(skipped);
    Path bomb = Bombs.gzip(tmp.resolve("skip.tar.gz"), head, skipped.getSize() + 1024, new byte[0]);
    assertTrue(Files.size(bomb) < 4 << 20, "a small file: " + Files.size(bomb));
    String mbomb = refusal(bomb, false);
    assertTrue(mbomb.contains("holds more than 2 GiB"), mbomb);
  }

  @Test
  void tooManyTarEntriesAreRefused() throws Exception {
    Path a =
        tarGz(
            "many.tar.gz",
            tar -> {
              for (int i = 0; i <= ArchiveLimits.ENTRIES; i++) {
                tar.putArchiveEntry(new TarArchiveEntry("go/d/"));
                tar.closeArchiveEntry();
              }
            });
    String ma = refusal(a, false);
    assertTrue(ma.contains("takes the archive over 100000 entries"), ma);
  }

  @Test
  void tooManyZipEntriesAreRefusedBeforeAnyIsWritten() throws Exception {
    Path a = tmp.resolve("many.zip");
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(a), 1 << 16);
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(file)) {
      for (int i = 0; i <= ArchiveLimits.ENTRIES; i++) {
        zip.putArchiveEntry(new ZipArchiveEntry("go/" + Integer.toString(i, 36)));
        zip.closeArchiveEntry();
      }
    }
    String ma = refusal(a, true);
    assertTrue(ma.contains("100001 entries, more than 100000"), ma);
    assertFalse(Files.exists(target().resolve("0")));
  }

  @Test
  void aZipMemberOverTheBoundIsRefusedBeforeAByteIsWritten() throws Exception {
    long size = ArchiveLimits.TOOLCHAIN_BYTES + 1;
    Path bomb = Bombs.zip(tmp.resolve("bomb.zip"), "go/bin/go", new byte[0], size, size);
    assertTrue(Files.size(bomb) < 4 << 20, "a small file: " + Files.size(bomb));
    String mbomb = refusal(bomb, true);
    assertTrue(mbomb.contains("over 1 GiB unpacked"), mbomb);
    assertFalse(Files.exists(target().resolve("bin/go")));
  }

  @Test
  void aZipMemberInflatingBeyondItsDeclaredSizeIsRefused() throws Exception {
    // The directory says 1 KiB; the data inflates to 2 GiB.
    Path bomb = Bombs.zip(tmp.resolve("liar.zip"), "go/bin/go", new byte[0], 2L << 30, 1024);
    String mbomb = refusal(bomb, true);
    assertTrue(mbomb.contains("'go/bin/go'"), mbomb);
    Path written = target().resolve("bin/go");
    assertTrue(!Files.exists(written) || Files.size(written) <= 1025);
  }
}
