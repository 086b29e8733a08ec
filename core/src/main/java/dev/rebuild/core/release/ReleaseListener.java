package dev.rebuild.core.release;

import dev.rebuild.core.build.BuildListener;

/** Progress of a release rebuild, rendered by the front end (the Maven log). */
public interface ReleaseListener extends BuildListener {

  /** A pipeline stage begins ({@code resolve tag}, {@code build}, {@code package}, ...). */
  void stage(String name, String detail);

  /** A fact worth a log line (the commit a tag resolved to, the toolchain found). */
  void info(String message);
}
