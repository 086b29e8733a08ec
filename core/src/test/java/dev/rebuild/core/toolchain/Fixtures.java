package dev.rebuild.core.toolchain;

import dev.rebuild.core.testing.GoFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Toolchain archives repacked from the real Go 1.21.13 ({@link GoFixtures#GO_1_21}, provided by
 * {@link dev.rebuild.core.testing.TestTools}): just what {@code go version} needs (bin/go, VERSION,
 * go.env, and pkg/tool, by which the go command recognises its GOROOT).
 */
final class Fixtures {

  /** Where the local test server serves the release list. */
  static final String LIST_PATH = "/dl/?mode=json&include=all";

  /**
   * Settings that see none of this machine's toolchains and no real network: an empty home and
   * PATH, a cache under {@code tmp}, the release list and archives from {@code server}, no proxy
   * and no checksum database.
   */
  static ToolchainSettings.Builder isolatedSettings(Path tmp, TestServer server)
      throws IOException {
    Files.createDirectories(tmp.resolve("home"));
    Files.createDirectories(tmp.resolve("emptybin"));
    return ToolchainSettings.builder()
        .home(tmp.resolve("home"))
        .environment(Map.of("PATH", tmp.resolve("emptybin").toString(), "GOMODCACHE", tmp + "/mod"))
        .cacheDir(tmp.resolve("cache"))
        .releaseList(server.uri(LIST_PATH).toString())
        .downloadBase(server.uri("/dl/"))
        .goproxy("off")
        .sumdb("off");
  }

  static final String VERSION = "go1.21.13";
  static final String ARCHIVE = "go1.21.13.linux-amd64.tar.gz";
  static final String MOD_VERSION = "v0.0.1-go1.21.13.linux-amd64";

  private static byte[] archive;
  private static byte[] moduleZip;

  private Fixtures() {}

  /** The machine has two slow cores; these archives need not be small. */
  private static GzipParameters fast() {
    GzipParameters p = new GzipParameters();
    p.setCompressionLevel(1);
    return p;
  }

  /** The official-archive layout: everything under {@code go/}. */
  static synchronized byte[] archive() throws IOException {
    if (archive == null) {
      Path go = GoFixtures.requireGo(GoFixtures.GO_1_21);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (TarArchiveOutputStream tar =
          new TarArchiveOutputStream(
              new java.io.BufferedOutputStream(
                  new GzipCompressorOutputStream(bytes, fast()), 1 << 16))) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        dir(tar, "go/");
        dir(tar, "go/bin/");
        file(tar, "go/bin/go", go.resolve("bin/go"), 0755);
        file(tar, "go/VERSION", go.resolve("VERSION"), 0644);
        file(tar, "go/go.env", go.resolve("go.env"), 0644);
        dir(tar, "go/pkg/");
        dir(tar, "go/pkg/tool/");
        dir(tar, "go/pkg/tool/linux_amd64/");
      }
      archive = bytes.toByteArray();
    }
    return archive;
  }

  /**
   * The module-zip layout of {@code golang.org/toolchain}: files under the module@version prefix,
   * no directories, no exec bits (as {@code golang.org/x/mod/zip} writes them), {@code go.mod}
   * files renamed {@code _go.mod}.
   */
  static synchronized byte[] moduleZip() throws IOException {
    if (moduleZip == null) {
      Path go = GoFixtures.requireGo(GoFixtures.GO_1_21);
      String p = "golang.org/toolchain@" + MOD_VERSION + "/";
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
        zipFile(zip, p + "VERSION", Files.readAllBytes(go.resolve("VERSION")));
        zipFile(zip, p + "bin/go", Files.readAllBytes(go.resolve("bin/go")));
        zipFile(zip, p + "go.env", Files.readAllBytes(go.resolve("go.env")));
        zipFile(zip, p + "pkg/tool/linux_amd64/README", "tools go here\n".getBytes());
        zipFile(zip, p + "src/_go.mod", "module std\n\ngo 1.21\n".getBytes());
      }
      moduleZip = bytes.toByteArray();
    }
    return moduleZip;
  }

  /**
   * Lays out {@code systemRoot/usr/lib/go-<line>} as Debian's golang-<line>-go package does (a
   * GOROOT with bin/go, VERSION, go.env and pkg/tool), from the pinned toolchain {@code version},
   * so the lookup of Debian's toolchains is tested without Debian's packages.
   *
   * @return the GOROOT laid out
   */
  static Path debianGoroot(Path systemRoot, String version) throws IOException {
    Path go = GoFixtures.requireGo(version);
    String line = version.substring(0, version.lastIndexOf('.'));
    Path goroot = systemRoot.resolve("usr/lib/go-" + line);
    Files.createDirectories(goroot.resolve("bin"));
    Files.createDirectories(goroot.resolve("pkg/tool/linux_amd64"));
    Files.copy(go.resolve("bin/go"), goroot.resolve("bin/go"));
    Files.copy(go.resolve("VERSION"), goroot.resolve("VERSION"));
    Files.copy(go.resolve("go.env"), goroot.resolve("go.env"));
    return goroot;
  }

  private static void zipFile(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  static void dir(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  static void file(TarArchiveOutputStream tar, String name, Path from, int mode)
      throws IOException {
    bytes(tar, name, Files.readAllBytes(from), mode);
  }

  static void bytes(TarArchiveOutputStream tar, String name, byte[] data, int mode)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100000 | mode);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  /** An entry whose absolute name is kept, as a hostile archive would carry it. */
  static void absolute(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setMode(0100644);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  static void symlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
    e.setLinkName(target);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  /** A tar.gz written by {@code body}. */
  static byte[] tarGz(TarBody body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(
            new java.io.BufferedOutputStream(
                new GzipCompressorOutputStream(bytes, fast()), 1 << 16))) {
      body.write(tar);
    }
    return bytes.toByteArray();
  }

  /** A zip whose one entry has {@code name} and unix {@code mode}. */
  static byte[] zipWith(String name, int unixMode, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream((OutputStream) bytes)) {
      ZipArchiveEntry e = new ZipArchiveEntry(name);
      e.setUnixMode(unixMode);
      zip.putArchiveEntry(e);
      zip.write(data);
      zip.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  interface TarBody {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  /** go.dev's release list format for the given versions' linux/amd64 archives. */
  static String releaseList(String... versionShaStable) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < versionShaStable.length; i += 3) {
      String v = versionShaStable[i];
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"version\":\"")
          .append(v)
          .append("\",\"stable\":")
          .append(versionShaStable[i + 2])
          .append(",\"files\":[")
          .append("{\"filename\":\"")
          .append(v)
          .append(".src.tar.gz\",\"os\":\"\",\"arch\":\"\",\"version\":\"")
          .append(v)
          .append("\",\"sha256\":\"")
          .append("0".repeat(64))
          .append("\",\"size\":1,\"kind\":\"source\"},")
          .append("{\"filename\":\"")
          .append(v)
          .append(".linux-amd64.tar.gz\",\"os\":\"linux\",\"arch\":\"amd64\",\"version\":\"")
          .append(v)
          .append("\",\"sha256\":\"")
          .append(versionShaStable[i + 1])
          .append("\",\"size\":1,\"kind\":\"archive\"}]}");
    }
    return b.append(']').toString();
  }
}
