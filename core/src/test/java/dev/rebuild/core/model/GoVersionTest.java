package dev.rebuild.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoVersionTest {

  @Test
  void parsesTheFormsUsersAndBinariesWrite() {
    assertEquals("go1.22.12", GoVersion.parse("1.22.12").toString());
    assertEquals("go1.22.12", GoVersion.parse("go1.22.12").toString());
    assertEquals("1.22.12", GoVersion.parse("go1.22.12").number());
    assertEquals("go1.23rc1", GoVersion.parse("go1.23rc1").toString());
    assertEquals("go1.21.5", GoVersion.parse("go1.21.5 X:boringcrypto").toString());
  }

  @Test
  void semverIsWhatTheVulnerabilityDatabaseUses() {
    assertEquals("1.21.5", GoVersion.parse("go1.21.5").semver());
    assertEquals("1.21.0-rc.1", GoVersion.parse("go1.21rc1").semver());
    assertEquals("1.21.0-beta.1", GoVersion.parse("go1.21beta1").semver());
    assertEquals("1.20.0", GoVersion.parse("go1.20").semver());
  }

  @Test
  void ordersPreReleasesBeforeReleasesAndPatchesNumerically() {
    List<GoVersion> sorted =
        List.of("go1.21.10", "go1.21.2", "go1.21rc2", "go1.21beta1", "go1.21.0", "go1.9.7").stream()
            .map(GoVersion::parse)
            .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    Collections.sort(sorted);
    assertEquals(
        "[go1.9.7, go1.21beta1, go1.21rc2, go1.21.0, go1.21.2, go1.21.10]", sorted.toString());
  }

  @Test
  void exactnessDistinguishesReleasesFromLines() {
    assertTrue(GoVersion.parse("1.22.12").isExact());
    assertFalse(GoVersion.parse("1.22").isExact());
    assertTrue(GoVersion.parse("1.20").isExact());
  }

  @Test
  void rejectsWhatIsNoGoVersionWithTheAcceptedForms() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GoVersion.parse("latestt"));
    assertTrue(e.getMessage().contains("1.22.12"), e.getMessage());
    assertNull(GoVersion.parseOrNull("devel go1.24-abcdef"));
    assertThrows(IllegalArgumentException.class, () -> GoVersion.parse("1.21.3rc1"));
  }
}
