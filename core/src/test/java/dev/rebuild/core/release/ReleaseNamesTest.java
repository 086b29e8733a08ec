package dev.rebuild.core.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rebuild label: its default, and the labels that cannot be a tag, a version and a name. */
class ReleaseNamesTest {

  @Test
  void theDefaultLabelIsThePreReleaseOfTheOriginalWithTheNewGo() {
    assertEquals(
        "v1.3.0-go1.22.12",
        new ReleaseNames("nsq", "v1.3.0", "1.22.12").label(ReleaseNames.DEFAULT_LABEL));
    assertEquals(Optional.empty(), ReleaseNames.labelProblem("v1.3.0-go1.22.12"));
  }

  @Test
  void labelsThatAnImageTagAGitTagOrAUrlWouldNotTakeAreRefused() {
    for (String bad :
        new String[] {
          "v1.3.0+go1.22.12", "rebuild/v1.3.0", "-v1", ".v1", "v1..3", "v1.lock", "v1.", "a b", ""
        }) {
      assertTrue(ReleaseNames.labelProblem(bad).isPresent(), bad);
    }
    assertTrue(ReleaseNames.labelProblem("x".repeat(129)).isPresent());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReleaseNames.checkLabelTemplate("{tag}+go{goVersion}"));
    assertTrue(e.getMessage().contains("no valid label"), e.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class, () -> ReleaseNames.checkLabelTemplate("{tag}-{go}"));
    assertTrue(unknown.getMessage().contains("{go}"), unknown.getMessage());
  }
}
