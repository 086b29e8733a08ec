package dev.rebuild.core.vuln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cases of govulncheck's own internal/semver and vulncheck tests, with its answers. */
class OsvRangesTest {

  private static OsvEntry.Range semver(String... events) {
    List<OsvEntry.Event> list = new ArrayList<>();
    for (String e : events) {
      String[] kv = e.split("=");
      list.add(
          kv[0].equals("i") ? new OsvEntry.Event(kv[1], null) : new OsvEntry.Event(null, kv[1]));
    }
    return new OsvEntry.Range(OsvEntry.Range.SEMVER, list);
  }

  @Test
  void affectsFollowsGovulncheck() {
    assertTrue(OsvRanges.affects(List.of(), "v0.0.0"), "no ranges: everything");
    assertTrue(OsvRanges.affects(List.of(semver()), "v0.0.0"), "empty SEMVER range: everything");
    assertTrue(OsvRanges.affects(List.of(semver("i=0")), "v0.0.0"));
    assertTrue(OsvRanges.affects(List.of(semver("i=0", "f=2.0.0")), "v1.0.0"));
    assertTrue(OsvRanges.affects(List.of(semver("i=1.0.0")), "v1.0.0"), "introduced inclusive");
    assertFalse(OsvRanges.affects(List.of(semver("i=1.0.0", "f=2.0.0")), "v2.0.0"), "fixed not");
    assertFalse(OsvRanges.affects(List.of(semver("i=1.0.0", "f=2.0.0")), "v3.0.0"));
    assertTrue(OsvRanges.affects(List.of(semver("i=1.0.0", "f=2.0.0", "i=3.0.0")), "v3.0.0"));
    assertFalse(
        OsvRanges.affects(List.of(semver("i=0", "f=1.18.6", "i=1.19.0", "f=1.19.1")), "v1.18.6"));
    assertTrue(OsvRanges.affects(List.of(semver("i=0", "i=1.19.0", "f=1.19.1")), "v1.18.6"));
    assertTrue(
        OsvRanges.affects(List.of(semver("i=1.19.0", "f=1.19.1", "i=0", "f=1.18.6")), "v1.18.1"),
        "unsorted events");
    OsvEntry.Range other =
        new OsvEntry.Range("ECOSYSTEM", List.of(new OsvEntry.Event("3.0.0", "")));
    assertTrue(OsvRanges.affects(List.of(other), "v3.0.0"), "no SEMVER range: everything");
    assertFalse(OsvRanges.affects(List.of(other, semver("i=4.0.0")), "v3.0.0"));
    assertTrue(OsvRanges.affects(List.of(other, semver("i=3.0.0")), "v3.0.0"));
    assertTrue(OsvRanges.affects(List.of(semver("i=1.16.0", "f=1.17.0")), "go1.16.1"));
  }

  @Test
  void stdlibPreReleasesUseTheDatabasesDashZeroIntroductions() {
    OsvEntry.Range r =
        semver("i=0", "f=1.22.11", "i=1.23.0-0", "f=1.23.5", "i=1.24.0-0", "f=1.24.0-rc.2");
    assertTrue(OsvRanges.containsSemver(r, "1.24.0-rc.1"));
    assertFalse(OsvRanges.containsSemver(r, "1.24.0-rc.2"));
    assertTrue(OsvRanges.containsSemver(r, "1.23.0-rc.1"));
    assertFalse(OsvRanges.containsSemver(r, "1.22.12"));
  }

  @Test
  void earliestValidFixSkipsFixesThatAreReintroduced() {
    OsvEntry.Affected a =
        new OsvEntry.Affected(
            "m", List.of(semver("i=0.1.0", "f=0.1.9", "i=1.0.0", "f=2.0.0")), List.of());
    assertEquals("2.0.0", OsvRanges.earliestValidFix("m", "v1.0.0", List.of(a)));
    OsvEntry.Affected s1 =
        new OsvEntry.Affected(
            "m", List.of(semver("i=v1.0.0", "f=v1.2.3", "i=v1.5.0", "f=v1.5.6")), List.of());
    OsvEntry.Affected s2 =
        new OsvEntry.Affected("m", List.of(semver("i=v1.3.0", "f=v1.4.1")), List.of());
    OsvEntry.Affected another =
        new OsvEntry.Affected("another", List.of(semver("i=0", "f=v1.6.0")), List.of());
    assertEquals("v1.2.3", OsvRanges.earliestValidFix("m", "v1.2.0", List.of(s1, s2, another)));
    OsvEntry.Affected n1 = new OsvEntry.Affected("m", List.of(semver("f=1.17.2")), List.of());
    OsvEntry.Affected n2 =
        new OsvEntry.Affected("m", List.of(semver("i=1.18.0", "f=1.18.4")), List.of());
    assertEquals("1.18.4", OsvRanges.earliestValidFix("m", "1.18.1", List.of(n1, n2)));
    OsvEntry.Affected o1 =
        new OsvEntry.Affected("m", List.of(semver("i=v1.0.0", "f=v1.2.3", "i=v1.5.0")), List.of());
    OsvEntry.Affected o2 =
        new OsvEntry.Affected("m", List.of(semver("i=v1.2.0", "f=v1.4.1")), List.of());
    assertEquals("v1.4.1", OsvRanges.earliestValidFix("m", "", List.of(o1, o2)), "overlapping");
    OsvEntry.Affected b1 =
        new OsvEntry.Affected(
            "m", List.of(semver("i=1.0.0", "f=1.5.0", "i=2.0.0", "f=2.1.0")), List.of());
    OsvEntry.Affected open = new OsvEntry.Affected("m", List.of(semver("i=0")), List.of());
    assertEquals("", OsvRanges.earliestValidFix("m", "v1.0.0", List.of(open)));
    assertEquals("", OsvRanges.earliestValidFix("other", "v1.0.0", List.of(b1)));
  }
}
