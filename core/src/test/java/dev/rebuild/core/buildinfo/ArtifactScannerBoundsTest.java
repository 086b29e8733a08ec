package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.testing.Bombs;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Release archives that inflate to far more than they hold are reported, not read. */
class ArtifactScannerBoundsTest {
  @TempDir Path tmp;

  private ArtifactScanner scanner() throws Exception {
    return new ArtifactScanner(Files.createDirectories(tmp.resolve("spill")));
  }

  private void nothingSpilled() throws Exception {
    try (Stream<Path> s = Files.list(tmp.resolve("spill"))) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void aTarMemberOverTheBoundIsReportedUnread() throws Exception {
    long size = ArchiveLimits.MEMBER_BYTES + 1;
    Path bomb = Bombs.tarGz(tmp.resolve("app_linux_amd64.tar.gz"), size, "app");
    assertTrue(Files.size(bomb) < 4 << 20, "a small file: " + Files.size(bomb));
    List<ScannedFile> out = scanner().scan(bomb);
    assertEquals(1, out.size());
    assertEquals("app_linux_amd64.tar.gz!app", out.get(0).path());
    ReadResult.Corrupt c = assertInstanceOf(ReadResult.Corrupt.class, out.get(0).result());
    assertEquals("archive member of 1073741825 bytes, over the 1 GiB limit; not read", c.reason());
    nothingSpilled();
  }

  @Test
  void aZipMemberOverTheBoundIsReportedUnread() throws Exception {
    long size = ArchiveLimits.MEMBER_BYTES + 1;
    Path bomb = Bombs.zip(tmp.resolve("app_windows_amd64.zip"), "app.exe", new byte[0], size, size);
    assertTrue(Files.size(bomb) < 4 << 20, "a small file: " + Files.size(bomb));
    List<ScannedFile> out = scanner().scan(bomb);
    assertEquals(1, out.size());
    ReadResult.Corrupt c = assertInstanceOf(ReadResult.Corrupt.class, out.get(0).result());
    assertTrue(c.reason().contains("over the 1 GiB limit; not read"), c.reason());
    nothingSpilled();
  }

  @Test
  void aTarOfTooManyMembersIsReportedAsDamaged() throws Exception {
    Path archive = tmp.resolve("many.tar.gz");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      for (int i = 0; i <= ArchiveLimits.ENTRIES; i++) {
        tar.putArchiveEntry(new TarArchiveEntry("f"));
        tar.closeArchiveEntry();
      }
    }
    Files.write(archive, bytes.toByteArray());
    List<ScannedFile> out = scanner().scan(archive);
    assertEquals(1, out.size(), "one result for the archive, not one per member");
    ReadResult.Corrupt c = assertInstanceOf(ReadResult.Corrupt.class, out.get(0).result());
    assertEquals("damaged archive: more than 100000 members", c.reason());
  }

  @Test
  void aZipOfTooManyMembersIsReportedAsDamaged() throws Exception {
    Path archive = tmp.resolve("many.zip");
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16);
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(file)) {
      for (int i = 0; i <= ArchiveLimits.ENTRIES; i++) {
        zip.putArchiveEntry(new ZipArchiveEntry(Integer.toString(i, 36)));
        zip.closeArchiveEntry();
      }
    }
    List<ScannedFile> out = scanner().scan(archive);
    assertEquals(1, out.size(), "one result for the archive, not one per member");
    ReadResult.Corrupt c = assertInstanceOf(ReadResult.Corrupt.class, out.get(0).result());
    assertEquals("damaged archive: 100001 members, more than 100000", c.reason());
  }
}
