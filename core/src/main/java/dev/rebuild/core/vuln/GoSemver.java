package dev.rebuild.core.vuln;

/**
 * Semantic version comparison as {@code golang.org/x/mod/semver} does it, accepting the three
 * prefixes the Go vulnerability database and build info mix: none ({@code 1.21.5}), {@code v}
 * ({@code v0.3.7}) and {@code go} ({@code go1.21.5}).
 *
 * <p>Like x/mod/semver, an invalid version orders before every valid one and two invalid versions
 * are equal; govulncheck's range checks rely on that, so this class keeps it.
 */
final class GoSemver {

  private GoSemver() {}

  private record Parsed(String major, String minor, String patch, String prerelease) {}

  /** True when {@code a < b}. */
  static boolean less(String a, String b) {
    return compare(a, b) < 0;
  }

  static boolean isValid(String v) {
    return parse(canonicalPrefix(v)) != null;
  }

  static int compare(String a, String b) {
    Parsed pa = parse(canonicalPrefix(a));
    Parsed pb = parse(canonicalPrefix(b));
    if (pa == null && pb == null) {
      return 0;
    }
    if (pa == null) {
      return -1;
    }
    if (pb == null) {
      return 1;
    }
    int c = compareNumber(pa.major, pb.major);
    if (c == 0) {
      c = compareNumber(pa.minor, pb.minor);
    }
    if (c == 0) {
      c = compareNumber(pa.patch, pb.patch);
    }
    if (c == 0) {
      c = comparePrerelease(pa.prerelease, pb.prerelease);
    }
    return c;
  }

  /**
   * The Go release tag for a standard library semantic version, as pkgsite and govulncheck print
   * it: {@code 1.22.7 -> go1.22.7}, {@code 1.24.0-rc.2 -> go1.24rc2}, {@code 1.20.0 -> go1.20}
   * (before Go 1.21 the first release of a line had no {@code .0}).
   */
  static String toGoTag(String semver) {
    String v = semver.startsWith("v") ? semver.substring(1) : semver;
    if (v.startsWith("go")) {
      return v;
    }
    Parsed p = parse("v" + v);
    if (p == null) {
      return "go" + v;
    }
    StringBuilder tag = new StringBuilder("go").append(p.major).append('.').append(p.minor);
    boolean oldFirstRelease =
        p.patch.equals("0")
            && (!p.prerelease.isEmpty() || compare("v" + v, "v1.21.0") < 0)
            && !v.equals("1.0.0");
    if (!oldFirstRelease) {
      tag.append('.').append(p.patch);
    }
    if (!p.prerelease.isEmpty()) {
      // -rc.2 -> rc2, -beta.1 -> beta1
      tag.append(p.prerelease.substring(1).replace(".", ""));
    }
    return tag.toString();
  }

  private static String canonicalPrefix(String v) {
    String s = v == null ? "" : v;
    if (s.startsWith("v")) {
      s = s.substring(1);
    }
    if (s.startsWith("go")) {
      s = s.substring(2);
    }
    return "v" + s;
  }

  private static Parsed parse(String v) {
    if (!v.startsWith("v")) {
      return null;
    }
    int[] pos = {1};
    String major = number(v, pos);
    if (major == null) {
      return null;
    }
    if (pos[0] == v.length()) {
      return new Parsed(major, "0", "0", "");
    }
    if (v.charAt(pos[0]) != '.') {
      return null;
    }
    pos[0]++;
    String minor = number(v, pos);
    if (minor == null) {
      return null;
    }
    if (pos[0] == v.length()) {
      return new Parsed(major, minor, "0", "");
    }
    if (v.charAt(pos[0]) != '.') {
      return null;
    }
    pos[0]++;
    String patch = number(v, pos);
    if (patch == null) {
      return null;
    }
    String rest = v.substring(pos[0]);
    String prerelease = "";
    int plus = rest.indexOf('+');
    String build = plus >= 0 ? rest.substring(plus + 1) : null;
    String beforeBuild = plus >= 0 ? rest.substring(0, plus) : rest;
    if (!beforeBuild.isEmpty()) {
      if (beforeBuild.charAt(0) != '-' || !validIdentifiers(beforeBuild.substring(1), true)) {
        return null;
      }
      prerelease = beforeBuild;
    }
    if (build != null && !validIdentifiers(build, false)) {
      return null;
    }
    return new Parsed(major, minor, patch, prerelease);
  }

  private static String number(String v, int[] pos) {
    int start = pos[0];
    int i = start;
    while (i < v.length() && Character.isDigit(v.charAt(i)) && v.charAt(i) < 128) {
      i++;
    }
    if (i == start || (v.charAt(start) == '0' && i - start > 1)) {
      return null;
    }
    pos[0] = i;
    return v.substring(start, i);
  }

  private static boolean validIdentifiers(String s, boolean noLeadingZeros) {
    if (s.isEmpty()) {
      return false;
    }
    for (String id : s.split("\\.", -1)) {
      if (id.isEmpty() || !id.matches("[0-9A-Za-z-]+")) {
        return false;
      }
      if (noLeadingZeros && isNumeric(id) && id.length() > 1 && id.charAt(0) == '0') {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String s) {
    return s.matches("[0-9]+");
  }

  private static int compareNumber(String a, String b) {
    if (a.length() != b.length()) {
      return a.length() < b.length() ? -1 : 1;
    }
    return Integer.signum(a.compareTo(b));
  }

  private static int comparePrerelease(String x, String y) {
    if (x.equals(y)) {
      return 0;
    }
    if (x.isEmpty()) {
      return 1;
    }
    if (y.isEmpty()) {
      return -1;
    }
    String[] xs = x.substring(1).split("\\.");
    String[] ys = y.substring(1).split("\\.");
    for (int i = 0; i < Math.min(xs.length, ys.length); i++) {
      String dx = xs[i];
      String dy = ys[i];
      if (dx.equals(dy)) {
        continue;
      }
      boolean nx = isNumeric(dx);
      boolean ny = isNumeric(dy);
      if (nx != ny) {
        return nx ? -1 : 1;
      }
      if (nx) {
        return compareNumber(dx, dy);
      }
      return Integer.signum(dx.compareTo(dy));
    }
    return Integer.compare(xs.length, ys.length);
  }
}
