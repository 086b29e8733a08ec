package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.GoVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One Go toolchain ready to run, with where it came from for the release manifest.
 *
 * @param version the Go version the toolchain reports ({@code $GOROOT/VERSION})
 * @param goroot the toolchain's GOROOT
 * @param origin human-readable source, e.g. {@code installed: /usr/lib/go-1.22 (PATH)} or {@code
 *     downloaded: https://go.dev/dl/go1.22.12.linux-amd64.tar.gz}
 * @param sourceUrl the URL it was downloaded from; null when it was installed on this machine
 * @param archiveSha256 the hex sha256 of the downloaded archive (for a module zip: of the zip);
 *     null when installed
 */
public record Toolchain(
    GoVersion version, Path goroot, String origin, String sourceUrl, String archiveSha256) {

  public Toolchain {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(goroot, "goroot");
    Objects.requireNonNull(origin, "origin");
  }

  /** {@code goroot/bin/go}, or {@code go.exe} where the toolchain is a Windows one. */
  public Path goCommand() {
    Path exe = goroot.resolve("bin").resolve("go.exe");
    return Files.isRegularFile(exe) ? exe : goroot.resolve("bin").resolve("go");
  }

  /** True when the toolchain was fetched rather than found installed. */
  public boolean downloaded() {
    return sourceUrl != null;
  }
}
