package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeExtractorTest {

  @TempDir Path tmp;

  Path write(String name, byte[] data) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, data);
    return p;
  }

  String refusal(Path archive, boolean zip) {
    Path target = tmp.resolve("out/goroot");
    IOException e =
        assertThrows(
            SafeExtractor.UnsafeArchive.class,
            () -> {
              if (zip) {
                SafeExtractor.unzip(archive, "go/", target);
              } else {
                SafeExtractor.untarGz(archive, "go/", target);
              }
            });
    return e.getMessage();
  }

  @Test
  void keepsExecutableBits() throws Exception {
    Path a =
        write(
            "ok.tar.gz",
            Fixtures.tarGz(
                tar -> {
                  Fixtures.bytes(tar, "go/bin/tool", "#!/bin/sh\n".getBytes(), 0755);
                  Fixtures.bytes(tar, "go/doc.txt", "x".getBytes(), 0644);
                }));
    Path out = tmp.resolve("ok");
    SafeExtractor.untarGz(a, "go/", out);
    assertTrue(Files.isExecutable(out.resolve("bin/tool")));
    assertFalse(Files.isExecutable(out.resolve("doc.txt")));
  }

  @Test
  void refusesDotDot() throws Exception {
    Path a =
        write(
            "dots.tar.gz",
            Fixtures.tarGz(tar -> Fixtures.bytes(tar, "go/a/../../x", "x".getBytes(), 0644)));
    assertTrue(refusal(a, false).contains("climbs out with '..'"));
    assertFalse(Files.exists(tmp.resolve("out/x")));
  }

  @Test
  void refusesAbsolutePaths() throws Exception {
    Path a =
        write(
            "abs.tar.gz",
            Fixtures.tarGz(tar -> Fixtures.absolute(tar, "/etc/evil", "x".getBytes())));
    assertTrue(refusal(a, false).contains("'/etc/evil' is not under go/"), refusal(a, false));
    Path b =
        write(
            "abs2.tar.gz",
            Fixtures.tarGz(tar -> Fixtures.bytes(tar, "go//etc/evil", "x".getBytes(), 0644)));
    assertTrue(refusal(b, false).contains("has an absolute path"), refusal(b, false));
  }

  @Test
  void refusesSymlinksLeadingOut() throws Exception {
    Path a =
        write(
            "link.tar.gz",
            Fixtures.tarGz(tar -> Fixtures.symlink(tar, "go/bin/escape", "../../../etc/passwd")));
    assertTrue(refusal(a, false).contains("is a link"), refusal(a, false));
    Path b = write("abslink.tar.gz", Fixtures.tarGz(tar -> Fixtures.symlink(tar, "go/x", "/etc")));
    assertTrue(refusal(b, false).contains("is a link (to /etc)"), refusal(b, false));
  }

  @Test
  void refusesZipEntriesClimbingOutOrLinking() throws Exception {
    Path a = write("dots.zip", Fixtures.zipWith("go/../x", 0100644, "x".getBytes()));
    assertTrue(refusal(a, true).contains("climbs out with '..'"));
    Path b = write("link.zip", Fixtures.zipWith("go/l", 0120777, "/etc/passwd".getBytes()));
    assertTrue(refusal(b, true).contains("is a symbolic link"));
    Path c = write("exe.zip", Fixtures.zipWith("go/bin/go", 0100755, "x".getBytes()));
    SafeExtractor.unzip(c, "go/", tmp.resolve("exe"));
    assertTrue(Files.isExecutable(tmp.resolve("exe/bin/go")));
  }
}
