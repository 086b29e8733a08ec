package dev.rebuild.core.release;

import dev.rebuild.core.RebuildException;

/** One step of the release pipeline; stages hand over through {@link ReleaseContext}. */
public interface Stage {

  /** A short name for progress lines: {@code build}, {@code package}, ... */
  String name();

  void run(ReleaseContext context) throws RebuildException;
}
