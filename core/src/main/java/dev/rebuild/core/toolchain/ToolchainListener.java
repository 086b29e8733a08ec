package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.GoVersion;
import java.net.URI;

/** Hears what toolchain provisioning does; core never prints, the caller renders these. */
public interface ToolchainListener {

  /** Hears nothing. */
  ToolchainListener NONE = new ToolchainListener() {};

  /** A request such as {@code 1.22} or {@code latest} was resolved to one version. */
  default void resolved(String requested, GoVersion version, String source) {}

  /**
   * Bytes of {@code url} received so far; {@code total} is -1 when the server did not say. Called
   * once at the start, about every mebibyte, and once at the end.
   */
  default void downloading(URI url, long bytes, long total) {}

  /** The download from {@code url} matched its expected checksum; {@code how} says which one. */
  default void verified(URI url, String how) {}

  /** A downloaded toolchain was unpacked into the cache and is ready. */
  default void installed(Toolchain toolchain) {}
}
