package dev.rebuild.core.vuln;

import java.util.List;
import java.util.Objects;

/**
 * What a scan needs to know about one Go binary: the facts Go embeds in its build info.
 *
 * @param name how reports call the binary (a file name, an archive member, an image layer path)
 * @param goVersion the Go version as embedded, e.g. {@code go1.21.5}, {@code go1.22.0
 *     X:boringcrypto}, or {@code devel go1.23-abcdef} for a development toolchain
 * @param goos GOOS from the build settings; empty when the binary does not record it
 * @param goarch GOARCH from the build settings; empty when the binary does not record it
 * @param modules the main module and the dependencies
 */
public record ScanTarget(
    String name, String goVersion, String goos, String goarch, List<ModuleRef> modules) {

  public ScanTarget {
    Objects.requireNonNull(name, "name");
    goVersion = goVersion == null ? "" : goVersion;
    goos = goos == null ? "" : goos;
    goarch = goarch == null ? "" : goarch;
    modules = List.copyOf(modules == null ? List.of() : modules);
  }
}
