package dev.rebuild.core.vuln;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a rebuild changed in a binary's vulnerabilities, matching findings by id and module.
 *
 * @param fixedByRebuild in the original, gone from the rebuild (the original's findings)
 * @param stillPresent in both, with what would fix each
 * @param newlyIntroduced only in the rebuild (the rebuild's findings)
 */
public record Comparison(
    List<Finding> fixedByRebuild, List<StillPresent> stillPresent, List<Finding> newlyIntroduced) {

  public Comparison {
    fixedByRebuild = fixedByRebuild.stream().sorted().toList();
    stillPresent = List.copyOf(stillPresent);
    newlyIntroduced = newlyIntroduced.stream().sorted().toList();
  }

  /**
   * A vulnerability the rebuild still carries.
   *
   * @param original as found in the original
   * @param rebuilt as found in the rebuild (its version is the rebuilt one)
   * @param fixedIn what to build with or upgrade to: {@code go1.22.7} for the standard library, the
   *     module version otherwise; null when no fix exists
   */
  public record StillPresent(Finding original, Finding rebuilt, String fixedIn) {}

  public static Comparison of(List<Finding> original, List<Finding> rebuilt) {
    Map<String, Finding> before = byKey(original);
    Map<String, Finding> after = byKey(rebuilt);
    List<Finding> fixed = new ArrayList<>();
    List<StillPresent> still = new ArrayList<>();
    for (Map.Entry<String, Finding> e : before.entrySet()) {
      Finding now = after.get(e.getKey());
      if (now == null) {
        fixed.add(e.getValue());
      } else {
        still.add(new StillPresent(e.getValue(), now, now.fixedIn()));
      }
    }
    List<Finding> added =
        after.entrySet().stream()
            .filter(e -> !before.containsKey(e.getKey()))
            .map(Map.Entry::getValue)
            .toList();
    return new Comparison(fixed, still, added);
  }

  /**
   * Compares two scans of the same binary.
   *
   * @throws IllegalArgumentException when the rebuild's standard library could not be judged, as
   *     every standard library finding would then look fixed
   */
  public static Comparison of(ScanResult original, ScanResult rebuilt) {
    if (rebuilt.status() == ScanStatus.STDLIB_UNKNOWN) {
      throw new IllegalArgumentException(
          "cannot compare "
              + rebuilt.name()
              + ": its Go version is a development build or unreadable, so its standard library"
              + " was not checked; rebuild with a released Go toolchain (GOTOOLCHAIN=local and a"
              + " go1.x.y release)");
    }
    return of(original.findings(), rebuilt.findings());
  }

  /** True when the rebuild removed something and added nothing. */
  public boolean improved() {
    return !fixedByRebuild.isEmpty() && newlyIntroduced.isEmpty();
  }

  private static Map<String, Finding> byKey(List<Finding> findings) {
    Map<String, Finding> m = new TreeMap<>();
    for (Finding f : findings.stream().sorted().toList()) {
      m.putIfAbsent(f.id() + "\u0000" + f.module(), f);
    }
    return m;
  }
}
