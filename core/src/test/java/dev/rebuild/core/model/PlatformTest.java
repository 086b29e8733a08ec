package dev.rebuild.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformTest {

  @Test
  void parsesTargetsWithVariants() {
    Platform arm = Platform.parse("linux/arm/7");
    assertEquals(Map.of("GOOS", "linux", "GOARCH", "arm", "GOARM", "7"), arm.environment());
    assertEquals("armv7", arm.archLabel());
    assertEquals(arm, Platform.parse("linux/arm/v7"));
    Platform v3 = Platform.parse("linux/amd64/v3");
    assertEquals("v3", v3.environment().get("GOAMD64"));
    assertEquals(".exe", Platform.parse("windows/amd64").executableSuffix());
  }

  @Test
  void listsKeepOrderAndDropRepeats() {
    assertEquals(
        "[linux/amd64, darwin/arm64]",
        Platform.parseList("linux/amd64, darwin/arm64,linux/amd64").toString());
  }

  @Test
  void malformedTargetsSayWhatIsExpected() {
    for (String bad :
        new String[] {"linux", "linux/", "linx/amd64", "linux/amd65", "linux/arm64/7", "a/b/c/d"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Platform.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("malformed target '" + bad + "'"), e.getMessage());
    }
  }
}
