package dev.rebuild.core.buildinfo;

import java.io.IOException;
import java.io.InputStream;

/**
 * A source over a stream that is read once, front to back (an archive member). It keeps the first
 * {@link #PREFIX} bytes (the headers) and a window that slides forward with the reads; the window
 * only grows as far as one read asks, and reads are capped by the reader. A read of bytes already
 * dropped throws {@link Rewind}: the caller then needs random access (the Go 1.13-1.17 pointer
 * layout).
 */
final class ForwardSource implements ByteSource {
  static final int PREFIX = 64 * 1024;

  /** The stream has already passed the bytes asked for. */
  static final class Rewind extends RuntimeException {
    Rewind(long pos) {
      super("bytes at " + pos + " already passed", null, false, false);
    }
  }

  private final InputStream in;
  private final long size;
  private final byte[] prefix;
  private byte[] window = new byte[0];
  private long windowStart;
  private int windowLength;

  ForwardSource(InputStream in, long size) throws IOException {
    this.in = in;
    this.size = size;
    this.prefix = new byte[(int) Math.min(PREFIX, size)];
    int n = in.readNBytes(prefix, 0, prefix.length);
    if (n < prefix.length) {
      throw new IOException("archive member shorter than its declared size " + size);
    }
    windowStart = prefix.length;
  }

  /** Bytes this source holds in memory now: the retained prefix and the window. */
  int bufferedBytes() {
    return prefix.length + window.length;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public boolean isRetained(long pos, long len) {
    return pos >= 0 && pos + len <= prefix.length;
  }

  @Override
  public int read(long pos, byte[] buf, int off, int len) throws IOException {
    if (pos < 0 || pos >= size || len <= 0) {
      return 0;
    }
    int want = (int) Math.min(len, size - pos);
    int done = 0;
    if (pos < prefix.length) {
      int n = (int) Math.min(want, prefix.length - pos);
      System.arraycopy(prefix, (int) pos, buf, off, n);
      done = n;
      if (done == want) {
        return done;
      }
    }
    long p = pos + done;
    int rest = want - done;
    if (p < windowStart) {
      throw new Rewind(p);
    }
    fill(p, rest);
    int available = (int) Math.max(0, Math.min(rest, windowStart + windowLength - p));
    System.arraycopy(window, (int) (p - windowStart), buf, off + done, available);
    return done + available;
  }

  /** Makes the window cover [p, p+len) as far as the stream reaches, dropping bytes before p. */
  private void fill(long p, int len) throws IOException {
    long windowEnd = windowStart + windowLength;
    if (p + len <= windowEnd) {
      return;
    }
    if (p >= windowEnd) {
      in.skipNBytes(p - windowEnd);
      windowStart = p;
      windowLength = 0;
    } else {
      int keep = (int) (windowEnd - p);
      System.arraycopy(window, (int) (p - windowStart), window, 0, keep);
      windowStart = p;
      windowLength = keep;
    }
    if (window.length < len) {
      byte[] bigger = new byte[len];
      System.arraycopy(window, 0, bigger, 0, windowLength);
      window = bigger;
    }
    windowLength += in.readNBytes(window, windowLength, len - windowLength);
  }
}
