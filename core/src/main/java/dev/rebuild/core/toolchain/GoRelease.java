package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import java.util.List;
import java.util.Optional;

/**
 * One Go release as go.dev's release list ({@code https://go.dev/dl/?mode=json&include=all})
 * describes it.
 */
public record GoRelease(GoVersion version, boolean stable, List<File> files) {

  public GoRelease {
    files = List.copyOf(files);
  }

  /** One downloadable file of a release. */
  public record File(
      String filename, String os, String arch, String sha256, long size, String kind) {}

  /**
   * The binary archive for {@code platform} ({@code kind} "archive"): {@code .tar.gz}, or {@code
   * .zip} on Windows.
   */
  public Optional<File> archiveFor(Platform platform) {
    String arch = archiveArch(platform);
    return files.stream()
        .filter(f -> "archive".equals(f.kind()))
        .filter(f -> platform.os().equals(f.os()) && arch.equals(f.arch()))
        .findFirst();
  }

  /** The architecture as go.dev names archives: {@code armv6l} for GOARCH arm. */
  static String archiveArch(Platform platform) {
    return platform.arch().equals("arm") ? "armv6l" : platform.arch();
  }
}
