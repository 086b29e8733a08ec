package dev.rebuild.core.testing;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.toolchain.InstalledToolchains;
import dev.rebuild.core.toolchain.ToolchainSettings;
import java.time.Duration;
import java.util.List;

/**
 * A {@link ReleaseListener} for tests: every event as one line in {@code log} ({@code stage build},
 * {@code started linux/amd64}, {@code done linux/amd64 2}, {@code failed linux/amd64 <go's
 * output>}, and the info messages as they are).
 */
public class RecordingReleaseListener implements ReleaseListener {

  private final List<String> log;

  public RecordingReleaseListener(List<String> log) {
    this.log = log;
  }

  /**
   * A pipeline on real processes that sees the toolchains of {@code settings}, inherits this
   * process's environment and records its events in {@code log}.
   */
  public static ReleasePipeline pipeline(ToolchainSettings settings, List<String> log) {
    return new ReleasePipeline(
        new CommonsExecProcessRunner(),
        new InstalledToolchains(settings, new CommonsExecProcessRunner()),
        new BuildInfoInspector(),
        System.getenv(),
        new RecordingReleaseListener(log));
  }

  @Override
  public void stage(String name, String detail) {
    log.add("stage " + name);
  }

  @Override
  public void info(String message) {
    log.add(message);
  }

  @Override
  public synchronized void targetStarted(Platform platform) {
    log.add("started " + platform);
  }

  @Override
  public synchronized void targetDone(Platform platform, int binaries, Duration took) {
    log.add("done " + platform + " " + binaries);
  }

  @Override
  public synchronized void targetFailed(Platform platform, String goOutputTail) {
    log.add("failed " + platform + " " + goOutputTail);
  }
}
