package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.testing.Bombs;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image layers and docker save archives that would unpack to far more than they hold. */
class ArchiveBoundsTest {
  @TempDir Path tmp;

  private long bytesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      long sum = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  @Test
  void aLayerExecutableOverTheBoundIsNotCopiedOut() throws Exception {
    long size = ArchiveLimits.MEMBER_BYTES + 1;
    TarArchiveEntry e = new TarArchiveEntry("usr/local/bin/huge");
    e.setSize(size);
    e.setMode(0100755);
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.writeBytes(Bombs.header(e));
    head.writeBytes(new byte[] {0x7f, 'E', 'L', 'F'});
    long padding = (512 - size % 512) % 512;
    Path layer =
        Bombs.gzip(
            tmp.resolve("layer.tar.gz"),
            head.toByteArray(),
            size - 4 + padding + 1024,
            new byte[0]);
    assertTrue(Files.size(layer) < 4 << 20, "a small file: " + Files.size(layer));
    Path work = Files.createDirectories(tmp.resolve("work"));
    IOException x =
        assertThrows(
            IOException.class, () -> Layers.scan(layer, 0, new GoBuildInfoIdentifier(), work));
    assertTrue(
        x.getMessage()
            .contains("/usr/local/bin/huge is an executable of 1073741825 bytes, over the 1 GiB"),
        x.getMessage());
    assertEquals(0, bytesUnder(work));
  }

  /** A docker save archive whose layer is a sparse file claiming {@code realSize} bytes. */
  private Path sparseDockerArchive(long realSize) throws IOException {
    Path archive = tmp.resolve("image.tar");
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
      byte[] manifest = "[{\"Config\":\"config.json\",\"Layers\":[\"layer.tar\"]}]".getBytes();
      TarArchiveEntry m = new TarArchiveEntry("manifest.json");
      m.setSize(manifest.length);
      tar.putArchiveEntry(m);
      tar.write(manifest);
      tar.closeArchiveEntry();
      byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes();
      TarArchiveEntry c = new TarArchiveEntry("config.json");
      c.setSize(config.length);
      tar.putArchiveEntry(c);
      tar.write(config);
      tar.closeArchiveEntry();
      // GNU tar's PAX 0.1 sparse format: the one stored block sits at the very end, the rest is
      // holes that read as zeros.
      byte[] pax =
          (paxRecord("GNU.sparse.size", Long.toString(realSize))
                  + paxRecord("GNU.sparse.map", (realSize - 512) + ",512"))
              .getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry header =
          new TarArchiveEntry("PaxHeaders/layer.tar", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
      header.setSize(pax.length);
      tar.putArchiveEntry(header);
      tar.write(pax);
      tar.closeArchiveEntry();
      TarArchiveEntry layer = new TarArchiveEntry("layer.tar");
      layer.setSize(512);
      tar.putArchiveEntry(layer);
      tar.write(new byte[512]);
      tar.closeArchiveEntry();
    }
    return archive;
  }

  /** One PAX record: its length in decimal, counting the digits themselves. */
  private static String paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int len = body.length() + 1;
    while (Integer.toString(len).length() + body.length() != len) {
      len++;
    }
    return len + body;
  }

  @Test
  void aSparseDockerArchiveEntryIsNotUnpacked() throws Exception {
    Path archive = sparseDockerArchive(256L << 20);
    assertTrue(Files.size(archive) < 16 << 10, "a small file: " + Files.size(archive));
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    ImageException e =
        assertThrows(ImageException.class, () -> DockerArchiveSource.open(archive, cache));
    assertTrue(
        e.getMessage().contains("layer.tar is a sparse file, which docker save never writes"),
        e.getMessage());
    assertTrue(bytesUnder(cache) < Files.size(archive), "cache holds " + bytesUnder(cache));
  }

  @Test
  void aDockerArchiveOfTooManyEntriesIsRefused() throws Exception {
    Path archive = tmp.resolve("many.tar");
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
      for (int i = 0; i <= ArchiveLimits.DOCKER_ARCHIVE_ENTRIES; i++) {
        tar.putArchiveEntry(new TarArchiveEntry("f" + i));
        tar.closeArchiveEntry();
      }
    }
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    ImageException e =
        assertThrows(ImageException.class, () -> DockerArchiveSource.open(archive, cache));
    assertTrue(e.getMessage().contains("holds more than 10000 entries"), e.getMessage());
  }
}
