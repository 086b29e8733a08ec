package dev.rebuild.core.buildinfo;

import java.util.Objects;

/**
 * One module of a Go build, as {@code runtime/debug.Module}: path, version ({@code (devel)} for a
 * main module built from a checkout), go.sum hash (empty when Go recorded none) and the module that
 * replaced it through a {@code replace} directive, or null.
 */
public record Module(String path, String version, String sum, Module replacement) {
  public Module {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(sum, "sum");
  }

  /** The module whose code was actually compiled: the replacement if there is one. */
  public Module effective() {
    return replacement == null ? this : replacement;
  }
}
