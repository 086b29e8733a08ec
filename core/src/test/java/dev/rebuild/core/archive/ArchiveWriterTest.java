package dev.rebuild.core.archive;

import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.recipe.ArchiveFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveWriterTest {

  private static final Instant COMMIT_TIME = Instant.parse("2024-03-01T12:00:00Z");

  @Test
  void tarGzIsSortedOwnedByRootAndDatedByTheCommit(@TempDir Path dir) throws Exception {
    Path b = Files.writeString(dir.resolve("nsqd"), "binary b");
    Path a = Files.writeString(dir.resolve("nsqadmin"), "binary a");
    Path out = dir.resolve("x.tar.gz");
    ArchiveWriter.write(
        ArchiveFormat.TAR_GZ,
        out,
        List.of(
            new ArchiveWriter.Entry("nsq-1.3.0/bin/nsqd", b, 0755),
            new ArchiveWriter.Entry("nsq-1.3.0/bin/nsqadmin", a, 0755)),
        COMMIT_TIME);
    String listing =
        run(
            dir,
            Map.of("TZ", "UTC"),
            "tar",
            "--numeric-owner",
            "--full-time",
            "-tvzf",
            out.toString());
    List<String> lines = listing.lines().toList();
    assertEquals(4, lines.size(), listing);
    assertTrue(lines.get(0).matches("drwxr-xr-x 0/0 +0 2024-03-01 12:00:00 nsq-1.3.0/"), listing);
    assertTrue(lines.get(1).startsWith("drwxr-xr-x 0/0"), listing);
    assertTrue(
        lines.get(2).matches("-rwxr-xr-x 0/0 +8 2024-03-01 12:00:00 nsq-1.3.0/bin/nsqadmin"),
        listing);
    assertTrue(lines.get(3).endsWith("nsq-1.3.0/bin/nsqd"), listing);
  }

  @Test
  void sameInputsGiveSameBytesInAnyTimeZone(@TempDir Path dir) throws Exception {
    Path bin = Files.write(dir.resolve("tool.exe"), new byte[] {1, 2, 3, 4});
    List<ArchiveWriter.Entry> entries =
        List.of(new ArchiveWriter.Entry("x/bin/tool.exe", bin, 0755));
    TimeZone saved = TimeZone.getDefault();
    try {
      for (ArchiveFormat format : ArchiveFormat.values()) {
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        Path first = dir.resolve("first." + format.extension());
        ArchiveWriter.write(format, first, entries, COMMIT_TIME);
        TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
        Path second = dir.resolve("second." + format.extension());
        ArchiveWriter.write(format, second, entries, COMMIT_TIME);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), format.toString());
      }
    } finally {
      TimeZone.setDefault(saved);
    }
    String zipInfo =
        run(
            dir,
            Map.of("TZ", "UTC"),
            "python3",
            "-c",
            "import zipfile,sys\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.date_time, oct(i.external_attr>>16))",
            dir.resolve("first.zip").toString());
    assertTrue(zipInfo.contains("x/bin/tool.exe (2024, 3, 1, 12, 0, 0) 0o100755"), zipInfo);
  }

  @Test
  void refusesEntryNamesThatEscapeTheArchive() {
    assertThrows(
        IllegalArgumentException.class, () -> new ArchiveWriter.Entry("../x", Path.of("x"), 0755));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ArchiveWriter.Entry("/etc/x", Path.of("x"), 0755));
  }
}
