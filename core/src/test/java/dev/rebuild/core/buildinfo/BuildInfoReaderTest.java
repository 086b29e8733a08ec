package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.buildinfo.GoFixtures.Built;
import dev.rebuild.core.buildinfo.ReadResult.Corrupt;
import dev.rebuild.core.buildinfo.ReadResult.GoBinary;
import dev.rebuild.core.buildinfo.ReadResult.NotGo;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import dev.rebuild.core.model.GoVersion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class BuildInfoReaderTest {
  static GoFixtures fx;

  @TempDir Path tmp;

  @BeforeAll
  static void build() {
    fx = GoFixtures.get();
  }

  @Test
  void everyBinaryReadsExactlyAsGoVersionM() throws IOException {
    List<Executable> checks = new ArrayList<>();
    for (Built b : fx.binaries) {
      ReadResult ours = BuildInfoReader.read(b.file());
      BuildInfo go = fx.goVersionM(b.file());
      checks.add(() -> assertEquals(new GoBinary(go), ours, b.label() + " (" + b.file() + ")"));
    }
    assertEquals(23, fx.binaries.size());
    assertAll(checks);
  }

  @Test
  void fixturesCoverBothLayoutsAndAllFormats() throws IOException {
    for (Built b : fx.binaries) {
      int flags = blobFlags(Files.readAllBytes(b.file()));
      boolean inline = (flags & 2) != 0;
      assertEquals(!b.toolchain().equals("go1.17"), inline, b.label() + " layout");
      if (!inline) {
        boolean bigEndian = b.goarch().equals("ppc64") || b.goarch().equals("mips");
        assertEquals(bigEndian, (flags & 1) != 0, b.label() + " pointer byte order");
      }
    }
  }

  @Test
  void recordsWhatTheBuildStamped() throws IOException {
    Built built = find("go1.26", "linux", "amd64", false, "hello");
    BuildInfo info = ((GoBinary) BuildInfoReader.read(built.file())).info();
    String goVersion =
        fx.go(GoFixtures.GO.toString(), "local", Map.of(), fx.root, "env", "GOVERSION")
            .stdout()
            .strip();
    assertEquals(goVersion, info.goVersion());
    assertEquals(GoVersion.parse(goVersion), info.parsedGoVersion());
    assertEquals("example.com/app/cmd/hello", info.path());
    // Go 1.24+ derives the main module's version from the commit it was built from.
    assertEquals("example.com/app", info.main().path());
    assertTrue(
        info.main().version().matches("v0\\.0\\.0-\\d{14}-" + fx.revision.substring(0, 12)),
        info.main().version());
    assertEquals(
        List.of(
            new Module(
                "example.com/greet", "v0.1.0", "", new Module("../greet", "(devel)", "", null))),
        info.deps());
    assertEquals("linux", info.goos());
    assertEquals("amd64", info.goarch());
    assertEquals(Optional.of(fx.revision), info.vcsRevision());
    assertEquals("git", info.setting("vcs"));
    assertEquals("false", info.setting("vcs.modified"));
    assertEquals(
        "-X 'main.version=1.0 \"q\"'", info.setting("-ldflags"), info.settings().toString());
    assertNull(info.setting("no-such-setting"));

    Built old = find("go1.17", "linux", "ppc64", false, "hello");
    BuildInfo oldInfo = ((GoBinary) BuildInfoReader.read(old.file())).info();
    assertEquals("go1.17.13", oldInfo.goVersion());
    assertEquals(Optional.empty(), oldInfo.vcsRevision());
    assertNull(oldInfo.goos(), "Go 1.17 recorded no build settings");
    assertEquals("example.com/greet", oldInfo.deps().get(0).path());
  }

  @Test
  void fatMachOReadsItsFirstImageLikeGo() throws IOException {
    Path arm = find("go1.26", "darwin", "arm64", false, "hello").file();
    Path amd = find("go1.26", "darwin", "amd64", false, "hello").file();
    Path fat = tmp.resolve("universal");
    Files.write(fat, fatMachO(Files.readAllBytes(arm), Files.readAllBytes(amd)));

    ReadResult result = BuildInfoReader.read(fat);
    assertEquals(BuildInfoReader.read(arm), result);
    assertEquals(new GoBinary(fx.goVersionM(fat)), result);
    assertEquals("arm64", ((GoBinary) result).info().goarch());

    Path reversed = tmp.resolve("universal2");
    Files.write(reversed, fatMachO(Files.readAllBytes(amd), Files.readAllBytes(arm)));
    assertEquals("amd64", ((GoBinary) BuildInfoReader.read(reversed)).info().goarch());
  }

  @Test
  void nonGoFilesAreNotGo() throws IOException {
    Path readme = tmp.resolve("README.md");
    Files.writeString(readme, "# a release\n\nNothing to run here, but long enough to read.\n");
    assertEquals(new NotGo("not an executable (ELF/PE/Mach-O)"), BuildInfoReader.read(readme));

    Path empty = Files.createFile(tmp.resolve("empty"));
    assertInstanceOf(NotGo.class, BuildInfoReader.read(empty));

    // The JVM's own launcher: a real ELF/Mach-O/PE, not built by Go.
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    assertEquals(new NotGo("executable without Go build information"), BuildInfoReader.read(java));

    Path classFile = tmp.resolve("A.class");
    Files.write(
        classFile,
        new byte[] {
          (byte) 0xca,
          (byte) 0xfe,
          (byte) 0xba,
          (byte) 0xbe,
          0,
          0,
          0,
          61,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0
        });
    assertInstanceOf(NotGo.class, BuildInfoReader.read(classFile));
  }

  @Test
  void damagedHeadersAreCorrupt() throws IOException {
    byte[] elf = Files.readAllBytes(find("go1.26", "linux", "amd64", false, "hello").file());
    Path cut = tmp.resolve("cut");
    Files.write(cut, java.util.Arrays.copyOf(elf, 40));
    assertEquals(
        new Corrupt("truncated executable: ELF header lies outside the file"),
        BuildInfoReader.read(cut));

    byte[] mach = Files.readAllBytes(find("go1.26", "darwin", "arm64", false, "hello").file());
    ByteBuffer.wrap(mach).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 0x7fffffff);
    Path huge = tmp.resolve("huge");
    Files.write(huge, mach);
    ReadResult r = BuildInfoReader.read(huge);
    assertInstanceOf(Corrupt.class, r);
    assertTrue(((Corrupt) r).reason().contains("load commands"), r.toString());
  }

  @Test
  void malformedModuleInformationIsCorruptWhereGoFailsToo() throws IOException {
    byte[] bin = Files.readAllBytes(find("go1.26", "linux", "amd64", false, "hello").file());
    byte[] line = "\nbuild\t-buildmode=exe\n".getBytes(StandardCharsets.US_ASCII);
    // The blob's copy, not the one runtime.modinfo keeps in read-only data.
    int at = dev.rebuild.core.testing.GoFixtures.indexOf(bin, line, blobOffset(bin));
    assertTrue(at > 0, "fixture has a -buildmode line");
    bin[at + 7] = '='; // "build\t=buildmode=exe": a build line with no key
    Path broken = tmp.resolve("broken");
    Files.write(broken, bin);
    // go version only reports errors for files that look like programs.
    broken.toFile().setExecutable(true);

    ReadResult r = BuildInfoReader.read(broken);
    assertInstanceOf(Corrupt.class, r);
    assertTrue(((Corrupt) r).reason().contains("build line with missing key"), r.toString());
    ExecResult go =
        fx.go(GoFixtures.GO.toString(), "local", Map.of(), tmp, "version", "-m", broken.toString());
    assertTrue(go.stderr().contains("build line with missing key"), go.stderr());
  }

  @Test
  void strippedBinariesCarryTheSameInformation() throws IOException {
    for (String tc : List.of("go1.26", "go1.21", "go1.17")) {
      BuildInfo full =
          ((GoBinary) BuildInfoReader.read(find(tc, "linux", "amd64", false, "hello").file()))
              .info();
      BuildInfo stripped =
          ((GoBinary) BuildInfoReader.read(find(tc, "linux", "amd64", true, "hello").file()))
              .info();
      assertEquals(full.deps(), stripped.deps(), tc);
      assertEquals(full.main(), stripped.main(), tc);
      assertNotEquals(full.setting("-ldflags"), stripped.setting("-ldflags") + "x", tc);
    }
  }

  @Test
  void elfWithoutSectionHeadersIsSearchedThroughItsWritableSegmentLikeGo() throws IOException {
    for (String tc : List.of("go1.26", "go1.17")) {
      Built built = find(tc, "linux", "amd64", true, "hello");
      byte[] elf = Files.readAllBytes(built.file());
      ByteBuffer h = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
      h.putLong(40, 0); // e_shoff
      h.putShort(60, (short) 0); // e_shnum
      h.putShort(62, (short) 0); // e_shstrndx
      Path noSections = tmp.resolve(tc + "-no-sections");
      Files.write(noSections, elf);
      ReadResult r = BuildInfoReader.read(noSections);
      assertEquals(BuildInfoReader.read(built.file()), r, tc);
      assertEquals(new GoBinary(fx.goVersionM(noSections)), r, tc);
    }
  }

  @Test
  void secondMainPackageIsItsOwnPath() throws IOException {
    BuildInfo other =
        ((GoBinary) BuildInfoReader.read(find("go1.26", "linux", "amd64", false, "other").file()))
            .info();
    assertEquals("example.com/app/cmd/other", other.path());
    assertFalse(
        other.deps().stream().anyMatch(m -> m.path().equals("example.com/greet")),
        "cmd/other does not import greet");
  }

  static Built find(String tc, String goos, String goarch, boolean stripped, String pkg) {
    return fx.find(tc, goos, goarch, stripped, pkg);
  }

  /** The flags byte of the first 16-byte aligned build info blob. */
  static int blobFlags(byte[] file) {
    return file[blobOffset(file) + 15] & 0xff;
  }

  static int blobOffset(byte[] file) {
    byte[] magic = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    for (int at = dev.rebuild.core.testing.GoFixtures.indexOf(file, magic, 0);
        at >= 0;
        at = dev.rebuild.core.testing.GoFixtures.indexOf(file, magic, at + 1)) {
      if (at % 16 == 0) {
        return at;
      }
    }
    throw new AssertionError("no build info blob");
  }

  /** A universal binary: big-endian fat header, then each thin image 16 KiB aligned. */
  static byte[] fatMachO(byte[]... images) {
    int align = 14;
    long offset = 1 << align;
    ByteBuffer header = ByteBuffer.allocate(8 + 20 * images.length).order(ByteOrder.BIG_ENDIAN);
    header.putInt(0xcafebabe).putInt(images.length);
    List<Long> offsets = new ArrayList<>();
    for (byte[] image : images) {
      ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
      header
          .putInt(le.getInt(4))
          .putInt(le.getInt(8))
          .putInt((int) offset)
          .putInt(image.length)
          .putInt(align);
      offsets.add(offset);
      offset = (offset + image.length + (1 << align) - 1) & -(1L << align);
    }
    byte[] out = new byte[(int) offset];
    System.arraycopy(header.array(), 0, out, 0, header.capacity());
    for (int i = 0; i < images.length; i++) {
      System.arraycopy(images[i], 0, out, (int) (long) offsets.get(i), images[i].length);
    }
    return out;
  }
}
