package dev.rebuild.maven;

import dev.rebuild.core.Redaction;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.toolchain.Toolchain;
import dev.rebuild.core.toolchain.ToolchainListener;
import java.net.URI;
import java.util.Locale;
import org.apache.maven.plugin.logging.Log;

/** Toolchain resolution and download progress as {@code [rebuild]} log lines. */
final class MavenToolchainListener implements ToolchainListener {

  private static final long STEP = 10L << 20;

  private final Log log;
  private long nextReport;

  MavenToolchainListener(Log log) {
    this.log = log;
  }

  @Override
  public void resolved(String requested, GoVersion version, String source) {
    if (!requested.equals(version.toString()) && !requested.equals(version.number())) {
      log.info("[rebuild] Go " + requested + " is " + version + " (" + source + ")");
    }
  }

  @Override
  public void downloading(URI url, long bytes, long total) {
    if (bytes == 0) {
      nextReport = 0;
      log.info("[rebuild] downloading " + Redaction.redact(url.toString()));
    }
    if (bytes >= nextReport || (total > 0 && bytes == total)) {
      nextReport = bytes + STEP;
      log.info(
          String.format(
              Locale.ROOT,
              "[rebuild]   %d MiB%s",
              bytes >> 20,
              total > 0 ? " of " + (total >> 20) + " MiB" : ""));
    }
  }

  @Override
  public void verified(URI url, String how) {
    log.info("[rebuild] verified " + Redaction.redact(url.toString()) + ": " + how);
  }

  @Override
  public void installed(Toolchain toolchain) {
    log.info("[rebuild] installed " + toolchain.version() + " in " + toolchain.goroot());
  }
}
