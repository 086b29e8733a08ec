package dev.rebuild.core.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Labels with the rebuild counter, and the pattern that finds published ones again. */
class ReleaseNamesLabelTest {

  private final ReleaseNames names = new ReleaseNames("nsq", "v1.3.0", "1.25.14");

  @Test
  void counterAndGoFillTheTemplate() {
    assertEquals("v1.3.0-go1.25.14", names.label(ReleaseNames.DEFAULT_LABEL, 3));
    assertEquals("v1.3.0-r3", names.label("{tag}-r{n}", 3));
    assertEquals(
        "nsq-1.3.0+rebuild.2.go1.25.14",
        names.label("{project}-{version}+rebuild.{n}.go{goVersion}", 2));
    assertThrows(IllegalArgumentException.class, () -> names.label("{tag}-{count}", 1));
  }

  @Test
  void thePatternMatchesEveryLabelOfTheTagAndNothingElse() {
    Pattern p = names.labelPattern("{tag}-r{n}");
    Matcher m = p.matcher("v1.3.0-r12");
    assertTrue(m.matches());
    assertEquals("12", m.group("n"));
    assertFalse(p.matcher("v1.3.0").matches());
    assertFalse(p.matcher("v1.3.0-rc1").matches());
    assertFalse(p.matcher("v1.3.01-r1").matches());

    Pattern go = names.labelPattern("{tag}-go{goVersion}");
    Matcher g = go.matcher("v1.3.0-go1.22.12");
    assertTrue(g.matches());
    assertEquals("1.22.12", g.group("go"));
    assertFalse(go.matcher("v1.3.0-golatest").matches());
    assertFalse(go.matcher("v1x3.0-go1.22.12").matches(), "the tag is quoted, not a pattern");

    Pattern twice = names.labelPattern("{goVersion}/{tag}-go{goVersion}");
    assertTrue(twice.matcher("1.22.12/v1.3.0-go1.22.12").matches());
    assertFalse(twice.matcher("1.22.12/v1.3.0-go1.23.1").matches());
  }
}
