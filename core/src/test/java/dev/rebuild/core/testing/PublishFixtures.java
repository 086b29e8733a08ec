package dev.rebuild.core.testing;

import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.PublishedRelease.ReleaseFile;
import dev.rebuild.core.publish.PublishedRelease.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A committed release as the destinations get it: two archives (each larger than a MiB, so an
 * upload reports progress), a {@code SHA256SUMS} over them in {@code sha256sum -c} format, a
 * manifest and a report, each named with the label. The archives' bytes come from a seeded
 * generator: {@code variant} gives other bytes under the same names.
 */
public final class PublishFixtures {

  public static final String LABEL = "v1.0.0-go1.22.12";
  public static final String AMD64 = "demo-1.0.0.linux-amd64.go1.22.12.tar.gz";
  public static final String WINDOWS = "demo-1.0.0.windows-amd64.go1.22.12.zip";
  public static final String SUMS = "SHA256SUMS-" + LABEL;

  private PublishFixtures() {}

  public static PublishedRelease release(Path dir, int variant) throws IOException {
    Path dist = dir.resolve("dist");
    Files.createDirectories(dist);
    List<ReleaseFile> files = new ArrayList<>();
    files.add(file(dist, AMD64, random(3 << 19, variant), Role.ARCHIVE, "linux-amd64", "tar.gz"));
    files.add(
        file(dist, WINDOWS, random(5 << 18, variant + 7), Role.ARCHIVE, "windows-amd64", "zip"));
    StringBuilder sums = new StringBuilder();
    for (ReleaseFile f : files) {
      sums.append(f.sha256()).append("  ").append(f.name()).append('\n');
    }
    files.add(file(dir, SUMS, utf8(sums.toString()), Role.CHECKSUMS, null, null));
    String manifest = "{\"tag\":\"v1.0.0\",\"variant\":" + variant + "}\n";
    files.add(
        file(
            dir,
            "rebuild-manifest-" + LABEL + ".json",
            utf8(manifest),
            Role.MANIFEST,
            null,
            "json"));
    files.add(
        file(
            dir,
            "verification-report-" + LABEL + ".md",
            utf8("# Verification of v1.0.0\n"),
            Role.REPORT,
            null,
            "md"));
    String manifestSha = Digest.of(utf8(manifest)).hex();
    return new PublishedRelease(dir, null, manifestSha, LABEL, files);
  }

  private static ReleaseFile file(
      Path dir, String name, byte[] bytes, Role role, String platform, String format)
      throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return new ReleaseFile(name, p, Digest.of(bytes).hex(), bytes.length, role, platform, format);
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
