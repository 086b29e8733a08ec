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

  static String h1(Path zip) throws IOException {
    try (ZipFile zf = new ZipFile(zip.toFile())) {
      List<String> names = new ArrayList<>();
      for (ZipEntry e : Collections.list(zf.entries())) {
        if (e.getName().contains("\n")) {
          throw new IOException("module zip entry name contains a newline: " + e.getName());
        }
        names.add(e.getName());
      }
      Collections.sort(names);
      MessageDigest summary = Digest.sha256();
      for (String name : names) {
        String hex;
        try (InputStream in = zf.getInputStream(zf.getEntry(name))) {
          hex = Digest.of(in).hex();
        }
        summary.update((hex + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return "h1:" + Base64.getEncoder().encodeToString(summary.digest());
    }
  }
}
