package dev.rebuild.core.model;

import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Go release version: {@code go1.21.5}, {@code 1.22}, {@code go1.23rc1}, {@code go1.21beta1}.
 *
 * <p>A version without a patch number is a release line ({@code 1.22}); from Go 1.21 on, the first
 * release of a line is {@code go1.21.0}, so {@code 1.22} does not name one toolchain. Before Go
 * 1.21 the first release was {@code go1.20} itself, which this type treats as {@code 1.20.0} when
 * asked for its semantic version.
 */
public record GoVersion(int major, int minor, int patch, PreRelease preRelease, int preNumber)
    implements Comparable<GoVersion> {

  /** The pre-release kinds Go uses, in release order; {@code NONE} is the final release. */
  public enum PreRelease {
    BETA,
    RC,
    NONE
  }

  /** Marks a version that names a release line rather than one release. */
  public static final int NO_PATCH = -1;

  private static final Pattern FORM =
      Pattern.compile("(?:go)?(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:(beta|rc)(\\d+))?");

  private static final Comparator<GoVersion> ORDER =
      Comparator.comparingInt(GoVersion::major)
          .thenComparingInt(GoVersion::minor)
          .thenComparing(GoVersion::preRelease)
          .thenComparingInt(GoVersion::preNumber)
          .thenComparingInt(v -> Math.max(v.patch(), 0));

  public GoVersion {
    Objects.requireNonNull(preRelease, "preRelease");
    if (major < 1 || minor < 0 || patch < NO_PATCH || preNumber < 0) {
      throw new IllegalArgumentException("not a Go version: " + major + "." + minor + "." + patch);
    }
    if (preRelease != PreRelease.NONE && patch != NO_PATCH) {
      throw new IllegalArgumentException("a Go pre-release has no patch number");
    }
  }

  /**
   * Parses {@code go1.22.12}, {@code 1.22.12}, {@code 1.22}, {@code go1.23rc1}. Anything after a
   * space (the {@code X:boringcrypto} experiment suffix build info may carry) is ignored.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static GoVersion parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    int space = trimmed.indexOf(' ');
    if (space > 0) {
      trimmed = trimmed.substring(0, space);
    }
    Matcher m = FORM.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a Go version; use a form like 1.22.12, go1.22.12, 1.22 or go1.23rc1");
    }
    int patch = m.group(3) == null ? NO_PATCH : Integer.parseInt(m.group(3));
    PreRelease pre =
        m.group(4) == null
            ? PreRelease.NONE
            : PreRelease.valueOf(m.group(4).toUpperCase(Locale.ROOT));
    if (pre != PreRelease.NONE && patch != NO_PATCH) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a Go version: " + "pre-releases have no patch number");
    }
    int preNumber = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
    return new GoVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch, pre, preNumber);
  }

  /** Like {@link #parse} but returns null for devel builds and other unparseable strings. */
  public static GoVersion parseOrNull(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True when this names one release (has a patch number, or is a pre-release). */
  public boolean isExact() {
    return patch != NO_PATCH || preRelease != PreRelease.NONE || minor < 21;
  }

  public boolean isStable() {
    return preRelease == PreRelease.NONE;
  }

  /** The release line, e.g. {@code 1.22} for {@code go1.22.12}. */
  public String line() {
    return major + "." + minor;
  }

  /** True when {@code other} belongs to the release line this version names. */
  public boolean sameLine(GoVersion other) {
    return major == other.major && minor == other.minor;
  }

  /** The number without the {@code go} prefix, as the {@code {goVersion}} placeholder uses it. */
  public String number() {
    StringBuilder b = new StringBuilder().append(major).append('.').append(minor);
    if (patch != NO_PATCH) {
      b.append('.').append(patch);
    }
    if (preRelease != PreRelease.NONE) {
      b.append(preRelease.name().toLowerCase(Locale.ROOT)).append(preNumber);
    }
    return b.toString();
  }

  /**
   * The semantic version the Go vulnerability database uses for the standard library: {@code
   * 1.21.5}, {@code 1.21.0-rc.1}, {@code 1.21.0-beta.1}; a bare line becomes its {@code .0}.
   */
  public String semver() {
    String base = major + "." + minor + "." + Math.max(patch, 0);
    return switch (preRelease) {
      case NONE -> base;
      case RC -> base + "-rc." + preNumber;
      case BETA -> base + "-beta." + preNumber;
    };
  }

  @Override
  public int compareTo(GoVersion o) {
    return ORDER.compare(this, o);
  }

  /** The form Go prints: {@code go1.22.12}. */
  @Override
  public String toString() {
    return "go" + number();
  }
}
