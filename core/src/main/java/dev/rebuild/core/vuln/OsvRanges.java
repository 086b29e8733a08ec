package dev.rebuild.core.vuln;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * govulncheck's reading of OSV ranges (golang.org/x/vuln v1.9.0, internal/semver and
 * internal/vulncheck), kept rule for rule so that both tools agree on every version.
 */
final class OsvRanges {

  private OsvRanges() {}

  /**
   * True when {@code version} lies in one of the SEMVER ranges. No ranges at all, or no SEMVER
   * range among them, means every version is affected.
   */
  static boolean affects(List<OsvEntry.Range> ranges, String version) {
    if (ranges.isEmpty()) {
      return true;
    }
    boolean semverPresent = false;
    for (OsvEntry.Range r : ranges) {
      if (!OsvEntry.Range.SEMVER.equals(r.type())) {
        continue;
      }
      semverPresent = true;
      if (containsSemver(r, version)) {
        return true;
      }
    }
    return !semverPresent;
  }

  /**
   * Walks the events in version order ({@code introduced: 0} first): an {@code introduced} at or
   * below the version opens the range, a {@code fixed} above it keeps it open, one at or below
   * closes it.
   */
  static boolean containsSemver(OsvEntry.Range range, String version) {
    if (!OsvEntry.Range.SEMVER.equals(range.type())) {
      return false;
    }
    if (range.events().isEmpty()) {
      return true;
    }
    List<OsvEntry.Event> events = new ArrayList<>(range.events());
    events.sort(
        Comparator.comparing((OsvEntry.Event e) -> !e.introduced().equals("0"))
            .thenComparing(
                (a, b) ->
                    a.introduced().equals("0") ? 0 : GoSemver.compare(sortKey(a), sortKey(b))));
    boolean affected = false;
    for (OsvEntry.Event e : events) {
      if (!affected && !e.introduced().isEmpty()) {
        affected = e.introduced().equals("0") || !GoSemver.less(version, e.introduced());
      } else if (affected && !e.fixed().isEmpty()) {
        affected = GoSemver.less(version, e.fixed());
      }
    }
    return affected;
  }

  private static String sortKey(OsvEntry.Event e) {
    return e.fixed().isEmpty() ? e.introduced() : e.fixed();
  }

  /**
   * The earliest fix above {@code version} that is not itself affected again by a later {@code
   * introduced}, over the blocks for {@code module}; empty when there is none.
   */
  static String earliestValidFix(String module, String version, List<OsvEntry.Affected> affected) {
    List<OsvEntry.Affected> mine =
        affected.stream().filter(a -> a.module().equals(module)).toList();
    List<String> fixes = new ArrayList<>();
    for (OsvEntry.Affected a : mine) {
      for (OsvEntry.Range r : a.ranges()) {
        if (!OsvEntry.Range.SEMVER.equals(r.type())) {
          continue;
        }
        for (OsvEntry.Event e : r.events()) {
          if (!e.fixed().isEmpty() && GoSemver.less(version, e.fixed())) {
            fixes.add(e.fixed());
          }
        }
      }
    }
    fixes.sort(GoSemver::compare);
    for (String fix : fixes) {
      boolean negated =
          mine.stream().flatMap(a -> a.ranges().stream()).anyMatch(r -> containsSemver(r, fix));
      if (!negated) {
        return fix;
      }
    }
    return "";
  }
}
