package dev.rebuild.core.buildinfo;

import java.util.Objects;

/**
 * One build setting Go recorded ({@code -ldflags}, {@code GOOS}, {@code vcs.revision}, ...), with
 * quoting already removed.
 */
public record Setting(String key, String value) {
  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
