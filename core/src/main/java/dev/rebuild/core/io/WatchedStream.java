package dev.rebuild.core.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An answer's body watched while it is read: closed when nothing arrives for {@code silence} or,
 * when there is one, the {@code deadline} passes, so that a server that stalls or trickles cannot
 * hold a build. The reader then fails, and {@link #why()} says which bound was hit.
 */
public final class WatchedStream implements AutoCloseable {

  /** One daemon thread watches every body. */
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "rebuild-download-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
  private final AtomicReference<String> expired = new AtomicReference<>();
  private final ScheduledFuture<?> future;
  private final InputStream body;

  /**
   * @param silence the longest time without a byte
   * @param deadline the longest time for the whole body; null for none
   */
  public WatchedStream(InputStream raw, Duration silence, Duration deadline) {
    long started = System.nanoTime();
    long shortest = deadline == null ? silence.toMillis() : deadline.toMillis();
    long checkMillis = Math.max(50, Math.min(silence.toMillis(), shortest) / 4);
    this.future =
        WATCHDOG.scheduleAtFixedRate(
            () -> {
              long now = System.nanoTime();
              String why = null;
              if (deadline != null && now - started > deadline.toNanos()) {
                why = "it did not arrive whole within " + deadline.toSeconds() + " s";
              } else if (now - lastProgress.get() > silence.toNanos()) {
                why = "nothing arrived for " + silence.toSeconds() + " s";
              }
              if (why != null && expired.compareAndSet(null, why)) {
                try {
                  raw.close();
                } catch (IOException ignored) {
                  // closing is all the watchdog can do; the reader fails on its own
                }
              }
            },
            checkMillis,
            checkMillis,
            TimeUnit.MILLISECONDS);
    this.body =
        new FilterInputStream(raw) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            lastProgress.set(System.nanoTime());
            return b;
          }

          @Override
          public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            lastProgress.set(System.nanoTime());
            return n;
          }
        };
  }

  /** The body to read. */
  public InputStream body() {
    return body;
  }

  /** Why the watch closed the body; null while it has not. */
  public String why() {
    return expired.get();
  }

  /** Stops watching; the body itself is closed by its reader. */
  @Override
  public void close() {
    future.cancel(false);
  }
}
