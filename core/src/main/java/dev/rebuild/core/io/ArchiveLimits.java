package dev.rebuild.core.io;

/**
 * The bounds on what this project unpacks or reads from archives it did not write: toolchain
 * archives, image layers, {@code docker save} archives, the vulnerability database zip and original
 * release archives. Each is several times what real content needs (a Go toolchain unpacks to under
 * 500 MiB in about 12 000 files; the largest file of vuln.go.dev's zip is a few MiB), so only a
 * broken or hostile archive reaches one.
 */
public final class ArchiveLimits {

  /** All files of one toolchain archive together, unpacked. */
  public static final long TOOLCHAIN_BYTES = 1L << 30;

  /**
   * The uncompressed tar stream of a toolchain {@code .tar.gz}, headers and the data of entries
   * that are skipped included: twice {@link #TOOLCHAIN_BYTES}.
   */
  public static final long TOOLCHAIN_TAR_STREAM_BYTES = 2 * TOOLCHAIN_BYTES;

  /** Entries of one toolchain archive or one original release archive. */
  public static final int ENTRIES = 100_000;

  /**
   * One executable of an image layer (copied to a temporary file to look for Go build info) and one
   * member of an original release archive (read for its Go build info).
   */
  public static final long MEMBER_BYTES = 1L << 30;

  /** One original release artifact downloaded from a URL prefix. */
  public static final long ORIGINAL_ARTIFACT_BYTES = 4L << 30;

  /** Entries of one {@code docker save} archive, each of which becomes a file. */
  public static final int DOCKER_ARCHIVE_ENTRIES = 10_000;

  private ArchiveLimits() {}

  /** {@code bytes} for a message: {@code 1 GiB}, {@code 64 MiB}, or bytes. */
  public static String describe(long bytes) {
    if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    return bytes + " bytes";
  }
}
