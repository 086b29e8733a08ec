package dev.rebuild.core.vuln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GoSemverTest {

  @Test
  void ordersReleasesPreReleasesAndPseudoVersionsLikeXModSemver() {
    assertTrue(GoSemver.less("1.21.13", "1.22.7"));
    assertTrue(GoSemver.less("1.9.0", "1.10.0"), "numeric, not lexical");
    assertTrue(GoSemver.less("1.24.0-0", "1.24.0-rc.1"), "the vulndb's '-0' is the lowest");
    assertTrue(GoSemver.less("1.24.0-rc.1", "1.24.0-rc.2"));
    assertTrue(GoSemver.less("1.24.0-rc.2", "1.24.0-rc.10"), "numeric identifiers by value");
    assertTrue(GoSemver.less("1.24.0-beta.1", "1.24.0-rc.1"));
    assertTrue(GoSemver.less("1.24.0-rc.3", "1.24.0"), "a pre-release precedes its release");
    assertTrue(GoSemver.less("v0.0.0-20210428140749-89ef3d95e781", "v0.1.0"));
    assertTrue(
        GoSemver.less("0.0.0-20210428140749-89ef3d95e781", "v0.0.0-20211209124913-491a49abca63"));
    assertEquals(0, GoSemver.compare("go1.21.5", "v1.21.5"), "go, v and bare prefixes agree");
    assertEquals(0, GoSemver.compare("v2.0.0+incompatible", "v2.0.0"), "build metadata ignored");
    assertEquals(0, GoSemver.compare("v1.2", "v1.2.0"), "shorthand accepted");
  }

  @Test
  void invalidVersionsOrderFirstAsInGovulncheck() {
    assertFalse(GoSemver.isValid("(devel)"));
    assertFalse(GoSemver.isValid("1.02.3"), "leading zero");
    assertFalse(GoSemver.isValid("1.2-pre"), "pre-release needs a patch number");
    assertTrue(GoSemver.less("garbage", "0.0.1"));
    assertEquals(0, GoSemver.compare("garbage", "other garbage"));
  }

  @Test
  void convertsStdlibSemverToGoReleaseTags() {
    assertEquals("go1.22.7", GoSemver.toGoTag("1.22.7"));
    assertEquals("go1.22.7", GoSemver.toGoTag("v1.22.7"));
    assertEquals("go1.21.0", GoSemver.toGoTag("1.21.0"));
    assertEquals("go1.20", GoSemver.toGoTag("1.20.0"), "before 1.21 the first release had no .0");
    assertEquals("go1.24rc2", GoSemver.toGoTag("1.24.0-rc.2"));
    assertEquals("go1.23beta1", GoSemver.toGoTag("1.23.0-beta.1"));
  }
}
