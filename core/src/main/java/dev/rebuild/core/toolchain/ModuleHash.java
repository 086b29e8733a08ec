package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The {@code h1:} hash go.sum and the checksum database give a module zip
 * (golang.org/x/mod/sumdb/dirhash Hash1): the sha256 of the sorted lines {@code "<sha256 hex> <file
 * name>\n"} of the zip's files, base64-encoded.
 */
final class ModuleHash {

  private ModuleHash() {}

  /** One file of a module zip: its full name in the zip and the sha256 of its content. */
  record FileHash(String name, String sha256) {}

  /** The h1 hash from the files' hashes, in any order. */
  static String h1(List<FileHash> files) throws IOException {
    List<FileHash> sorted = new ArrayList<>(files);
    sorted.sort(java.util.Comparator.comparing(FileHash::name));
    MessageDigest summary = Digest.sha256();
    for (FileHash f : sorted) {
      if (f.name().contains("\n")) {
        throw new IOException("module zip entry name contains a newline: " + f.name());
      }
      summary.update((f.sha256() + "  " + f.name() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return "h1:" + Base64.getEncoder().encodeToString(summary.digest());
  }

  /** The h1 hash of a module zip on disk. */
  static String h1(Path zip) throws IOException {
    List<FileHash> files = new ArrayList<>();
    try (ZipFile zf = new ZipFile(zip.toFile())) {
      for (ZipEntry e : Collections.list(zf.entries())) {
        try (InputStream in = zf.getInputStream(e)) {
          files.add(new FileHash(e.getName(), Digest.of(in).hex()));
        }
      }
    }
    return h1(files);
  }
}
