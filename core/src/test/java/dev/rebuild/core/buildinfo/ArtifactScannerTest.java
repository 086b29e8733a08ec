package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.buildinfo.GoFixtures.Built;
import dev.rebuild.core.buildinfo.ReadResult.Corrupt;
import dev.rebuild.core.buildinfo.ReadResult.GoBinary;
import dev.rebuild.core.buildinfo.ReadResult.NotGo;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactScannerTest {
  static GoFixtures fx;

  @TempDir Path tmp;
  Path dist;
  Path spill;
  ArtifactScanner scanner;

  @BeforeAll
  static void build() {
    fx = GoFixtures.get();
  }

  /** A release directory: binaries of all formats and both layouts, a README, a LICENSE. */
  @BeforeEach
  void release() throws IOException {
    dist = tmp.resolve("dist");
    Path bin = dist.resolve("nsq/bin");
    Files.createDirectories(bin);
    copy(fx.find("go1.26", "linux", "amd64", true, "hello"), bin, "nsqd");
    copy(fx.find("go1.26", "windows", "386", false, "hello"), bin, "nsqd.exe");
    copy(fx.find("go1.26", "darwin", "arm64", false, "hello"), bin, "nsqd-mac");
    copy(fx.find("go1.21", "linux", "ppc64", false, "hello"), bin, "nsqd-ppc");
    copy(fx.find("go1.17", "linux", "amd64", false, "hello"), bin, "nsqd-117");
    copy(fx.find("go1.17", "linux", "mips", false, "hello"), bin, "nsqd-mips");
    Files.writeString(dist.resolve("nsq/README.md"), "# nsq\n\nA realtime distributed platform.\n");
    Files.writeString(dist.resolve("nsq/LICENSE"), "MIT License\n\nCopyright (c) nobody\n");
    spill = tmp.resolve("spill");
    scanner = new ArtifactScanner(spill);
  }

  @Test
  void directoryIsWalkedSortedAndEachFileReadAsOnItsOwn() throws IOException {
    Files.createSymbolicLink(dist.resolve("nsq/bin/latest"), Path.of("nsqd"));
    List<ScannedFile> scanned = scanner.scan(dist);
    List<String> paths = scanned.stream().map(ScannedFile::path).toList();
    assertEquals(
        List.of(
            "nsq/LICENSE",
            "nsq/README.md",
            "nsq/bin/latest",
            "nsq/bin/nsqd",
            "nsq/bin/nsqd-117",
            "nsq/bin/nsqd-mac",
            "nsq/bin/nsqd-mips",
            "nsq/bin/nsqd-ppc",
            "nsq/bin/nsqd.exe"),
        paths);
    assertEquals(new NotGo("link to nsqd, not followed"), scanned.get(2).result());
    for (ScannedFile f : scanned) {
      if (f.path().endsWith("latest")) {
        continue;
      }
      Path file = dist.resolve(f.path());
      assertEquals(BuildInfoReader.read(file), f.result(), f.path());
      assertEquals(Files.size(file), f.size(), f.path());
    }
    assertInstanceOf(NotGo.class, scanned.get(0).result());
  }

  @Test
  void tarGzTarAndZipMembersReadAsTheFilesDo() throws IOException {
    run(dist, "tar", "-czf", tmp.resolve("nsq.tar.gz").toString(), "nsq");
    run(dist, "tar", "-cf", tmp.resolve("nsq.tar").toString(), "nsq");
    run(dist, "zip", "-qr", tmp.resolve("nsq.zip").toString(), "nsq");
    for (String archive : List.of("nsq.tar.gz", "nsq.tar", "nsq.zip")) {
      List<ScannedFile> members = scanner.scan(tmp.resolve(archive));
      assertEquals(8, members.size(), archive + ": " + members);
      for (ScannedFile m : members) {
        String name = m.path().substring(m.path().indexOf('!') + 1);
        assertTrue(m.path().startsWith(archive + "!"), m.path());
        Path file = dist.resolve(name);
        assertEquals(BuildInfoReader.read(file), m.result(), m.path());
        assertEquals(Files.size(file), m.size(), m.path());
      }
      long goBinaries = members.stream().filter(m -> m.result() instanceof GoBinary).count();
      assertEquals(6, goBinaries, archive);
      try (Stream<Path> left = Files.list(spill)) {
        assertEquals(List.of(), left.toList(), "spilled Go 1.17 members are deleted");
      }
    }
  }

  @Test
  void inlineLayoutStreamsWithinABoundedBufferAndOldLayoutAsksForRandomAccess() throws IOException {
    for (Built b : fx.binaries) {
      boolean inline = !b.toolchain().equals("go1.17");
      try (InputStream in = Files.newInputStream(b.file())) {
        ForwardSource src = new ForwardSource(in, Files.size(b.file()));
        if (inline) {
          assertEquals(BuildInfoReader.read(b.file()), BuildInfoReader.read(src), b.label());
          // Headers, one 1 MiB search chunk, nothing near the binary's size.
          assertTrue(
              src.bufferedBytes() <= ForwardSource.PREFIX + (1 << 20),
              b.label() + " buffered " + src.bufferedBytes());
        } else {
          assertThrows(ForwardSource.Rewind.class, () -> BuildInfoReader.read(src), b.label());
        }
      }
    }
  }

  @Test
  void fatMachOStreamsLikeItReads() throws IOException {
    byte[] fat =
        BuildInfoReaderTest.fatMachO(
            Files.readAllBytes(fx.find("go1.26", "darwin", "arm64", false, "hello").file()),
            Files.readAllBytes(fx.find("go1.26", "darwin", "amd64", false, "hello").file()));
    Path file = tmp.resolve("universal");
    Files.write(file, fat);
    ForwardSource src = new ForwardSource(new java.io.ByteArrayInputStream(fat), fat.length);
    ReadResult streamed = BuildInfoReader.read(src);
    assertInstanceOf(GoBinary.class, streamed);
    assertEquals(BuildInfoReader.read(file), streamed);
  }

  @Test
  void memberNamesEscapingTheArchiveAreReportedNotFollowed() throws IOException {
    byte[] exe = Files.readAllBytes(dist.resolve("nsq/bin/nsqd"));
    Path tar = tmp.resolve("evil.tar");
    try (OutputStream out = Files.newOutputStream(tar);
        TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (String name : List.of("../../etc/nsqd", "/usr/bin/nsqd", "ok/nsqd")) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(exe.length);
        t.putArchiveEntry(e);
        t.write(exe);
        t.closeArchiveEntry();
      }
      TarArchiveEntry link = new TarArchiveEntry("ok/link", TarArchiveEntry.LF_SYMLINK);
      link.setLinkName("../../../etc/passwd");
      t.putArchiveEntry(link);
      t.closeArchiveEntry();
    }
    List<ScannedFile> members = scanner.scan(tar);
    assertEquals(4, members.size(), members.toString());
    assertEquals(
        new Corrupt(
            "archive member name '../../etc/nsqd' climbs out of the archive (..); not read"),
        members.get(0).result());
    assertEquals(
        new Corrupt("archive member name '/usr/bin/nsqd' is absolute; not read"),
        members.get(1).result());
    assertInstanceOf(GoBinary.class, members.get(2).result());
    assertEquals(new NotGo("link to ../../../etc/passwd, not followed"), members.get(3).result());

    Path zip = tmp.resolve("evil.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.putNextEntry(new ZipEntry("a/../../nsqd"));
      z.write(exe);
      z.closeEntry();
    }
    List<ScannedFile> zipped = scanner.scan(zip);
    assertEquals(1, zipped.size());
    assertInstanceOf(Corrupt.class, zipped.get(0).result());
  }

  @Test
  void damagedArchiveIsOneCorruptEntryWithoutPartialMembers() throws IOException {
    run(dist, "tar", "-czf", tmp.resolve("nsq.tar.gz").toString(), "nsq");
    byte[] whole = Files.readAllBytes(tmp.resolve("nsq.tar.gz"));
    Path cut = tmp.resolve("cut.tar.gz");
    Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
    List<ScannedFile> scanned = scanner.scan(cut);
    assertEquals(1, scanned.size(), scanned.toString());
    assertEquals("cut.tar.gz", scanned.get(0).path());
    Corrupt c = assertInstanceOf(Corrupt.class, scanned.get(0).result());
    assertTrue(c.reason().startsWith("damaged archive: "), c.reason());
  }

  @Test
  void scanArchiveRecognisesContentWithoutAnExtension() throws IOException {
    run(dist, "tar", "-czf", tmp.resolve("blob").toString(), "nsq");
    List<ScannedFile> members = scanner.scanArchive(tmp.resolve("blob"), "sha256:abc");
    assertEquals(8, members.size());
    assertTrue(members.stream().allMatch(m -> m.path().startsWith("sha256:abc!nsq/")));
    Path text = tmp.resolve("text");
    Files.writeString(text, "not an archive", StandardCharsets.UTF_8);
    assertEquals(
        List.of(new ScannedFile("t", 14, new NotGo("not a tar, tar.gz or zip archive"))),
        scanner.scanArchive(text, "t"));
  }

  private static void copy(Built b, Path dir, String name) throws IOException {
    Files.copy(b.file(), dir.resolve(name));
  }

  private static void run(Path dir, String... cmd) throws IOException {
    ExecResult r =
        new CommonsExecProcessRunner()
            .run(List.of(cmd), dir, Map.of("PATH", System.getenv("PATH")), Duration.ofMinutes(2));
    if (!r.ok()) {
      throw new AssertionError(
          String.join(" ", cmd) + " failed (apt-get install tar zip):\n" + r.tail(10));
    }
  }

  @SuppressWarnings("unused")
  private static List<String> names(List<ScannedFile> files) {
    List<String> out = new ArrayList<>();
    files.forEach(f -> out.add(f.path()));
    return out;
  }
}
