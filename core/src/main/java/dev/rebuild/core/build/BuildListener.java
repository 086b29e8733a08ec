package dev.rebuild.core.build;

import dev.rebuild.core.model.Platform;
import java.time.Duration;

/** Progress of the per-target builds; called from the build threads. */
public interface BuildListener {

  void targetStarted(Platform platform);

  void targetDone(Platform platform, int binaries, Duration took);

  void targetFailed(Platform platform, String goOutputTail);

  BuildListener NONE =
      new BuildListener() {
        @Override
        public void targetStarted(Platform platform) {}

        @Override
        public void targetDone(Platform platform, int binaries, Duration took) {}

        @Override
        public void targetFailed(Platform platform, String goOutputTail) {}
      };
}
