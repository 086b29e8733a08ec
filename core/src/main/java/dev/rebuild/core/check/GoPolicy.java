package dev.rebuild.core.check;

import dev.rebuild.core.model.EnumNames;

/**
 * Which Go a security rebuild takes. "Supported" is the two newest Go minors with a stable release
 * in the release list, as the Go project supports them.
 */
public enum GoPolicy {
  /** The newest patch of the published Go's minor, if that minor is still supported. */
  PATCH,
  /**
   * The oldest supported minor, not older than the published one, whose newest patch fixes every
   * standard-library finding: the smallest change of behaviour (the default).
   */
  MINOR,
  /** The newest stable Go release. */
  LATEST;

  public static final GoPolicy DEFAULT = MINOR;

  /**
   * Parses {@code patch}, {@code minor}, {@code latest} (any case); null or blank is {@link
   * #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static GoPolicy parse(String text) {
    return EnumNames.parse(GoPolicy.class, text, DEFAULT, "Go policy");
  }

  /** The name as configured: {@code minor}. */
  public String id() {
    return EnumNames.name(this);
  }
}
