package dev.rebuild.core.buildinfo;

import java.io.IOException;

/** Positioned reads over an executable: a file, a slice of one (fat Mach-O), or a stream. */
interface ByteSource {

  /** The length in bytes; every position a header names is checked against it. */
  long size();

  /**
   * Reads up to {@code len} bytes at {@code pos}; fewer only at the end of the source.
   *
   * @throws ForwardSource.Rewind when a forward-only source was asked for bytes it has passed
   */
  int read(long pos, byte[] buf, int off, int len) throws IOException;

  /**
   * Whether reading this range leaves a forward-only source where it is; such a source skips
   * optional lookups (ELF section names at the end of the file) that would otherwise drain it.
   */
  boolean isRetained(long pos, long len);

  /** This source seen from {@code offset} on, {@code length} bytes long (clamped to this). */
  default ByteSource slice(long offset, long length) {
    ByteSource outer = this;
    long base = Math.min(Math.max(offset, 0), size());
    long len = Math.min(Math.max(length, 0), size() - base);
    return new ByteSource() {
      @Override
      public long size() {
        return len;
      }

      @Override
      public int read(long pos, byte[] buf, int off, int n) throws IOException {
        if (pos < 0 || pos >= len) {
          return 0;
        }
        return outer.read(base + pos, buf, off, (int) Math.min(n, len - pos));
      }

      @Override
      public boolean isRetained(long pos, long n) {
        return outer.isRetained(base + pos, n);
      }
    };
  }
}
