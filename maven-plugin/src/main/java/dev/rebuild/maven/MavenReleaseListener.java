package dev.rebuild.maven;

import dev.rebuild.core.model.Platform;
import dev.rebuild.core.release.ReleaseListener;
import java.time.Duration;
import java.util.Locale;
import org.apache.maven.plugin.logging.Log;

/** Renders pipeline progress as stable, greppable Maven log lines prefixed {@code [rebuild]}. */
final class MavenReleaseListener implements ReleaseListener {

  private final Log log;

  MavenReleaseListener(Log log) {
    this.log = log;
  }

  @Override
  public void stage(String name, String detail) {
    log.info("[rebuild] --- " + name + (detail.isEmpty() ? "" : ": " + detail));
  }

  @Override
  public void info(String message) {
    log.info("[rebuild] " + message);
  }

  @Override
  public void debug(String message) {
    log.debug("[rebuild] " + message);
  }

  @Override
  public synchronized void targetStarted(Platform platform) {
    log.info("[rebuild] build " + platform + " started");
  }

  @Override
  public synchronized void targetDone(Platform platform, int binaries, Duration took) {
    log.info(
        String.format(
            Locale.ROOT,
            "[rebuild] build %s done in %.1f s (%d binaries)",
            platform,
            took.toMillis() / 1000.0,
            binaries));
  }

  @Override
  public synchronized void targetFailed(Platform platform, String goOutputTail) {
    log.error("[rebuild] build " + platform + " FAILED:\n" + goOutputTail);
  }
}
