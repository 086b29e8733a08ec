package dev.rebuild.core.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that fails once more than a limit of bytes come out of it. Decompressed archive content
 * is read through it: the sizes an archive declares are the archive's word, and a deflate stream of
 * a few kilobytes can inflate to gigabytes. Exceeding the limit is an error, never a silent
 * truncation, so a hostile or broken archive cannot pass for a shorter valid one.
 */
public final class LimitedInputStream extends FilterInputStream {

  /** The stream held more than the limit. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    public TooLarge(String message) {
      super(message);
    }
  }

  private final long limit;
  private final String what;
  private long count;

  /**
   * @param what names the content in the error, e.g. {@code "entry 'go/bin/go'"}
   */
  public LimitedInputStream(InputStream in, long limit, String what) {
    super(in);
    this.limit = limit;
    this.what = what;
  }

  /** Bytes read so far. */
  public long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      add(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    // Asking for one byte beyond the limit tells a stream of exactly the limit from a longer one.
    int n = in.read(b, off, (int) Math.min(len, Math.max(1, limit - count + 1)));
    if (n > 0) {
      add(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(Math.min(n, Math.max(1, limit - count + 1)));
    if (skipped > 0) {
      add(skipped);
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  private void add(long n) throws TooLarge {
    count += n;
    if (count > limit) {
      throw new TooLarge(what + " holds more than " + ArchiveLimits.describe(limit));
    }
  }
}
