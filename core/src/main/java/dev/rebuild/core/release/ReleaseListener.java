package dev.rebuild.core.release;

import dev.rebuild.core.build.BuildListener;
import java.time.Duration;
import java.util.Locale;

/** Progress of a release rebuild, rendered by the front end (the Maven log). */
public interface ReleaseListener extends BuildListener {

  /** A pipeline stage begins ({@code resolve tag}, {@code build}, {@code package}, ...). */
  void stage(String name, String detail);

  /** A fact worth a log line (the commit a tag resolved to, the toolchain found). */
  void info(String message);

  /**
   * A step worth knowing only when tracing ({@code mvn -X}): the commit's renames, each blob
   * checked. Tests also use these lines to stop a run at an exact point.
   */
  default void debug(String message) {}

  /** A phase ({@code build}, {@code commit}, {@code publish}, {@code merge}) finished. */
  default void phaseDone(String phase, Duration took) {
    info(String.format(Locale.ROOT, "%s phase took %.1f s", phase, took.toMillis() / 1000.0));
  }
}
