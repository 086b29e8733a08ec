package dev.rebuild.core.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rebuild.core.release.ReleaseNames;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Literal {@code -X} values turned back into the placeholders that make them. */
class LdflagsTemplateTest {

  static final String COMMIT = "3e071020fd820be0a3f4da5741fc50c049f90f1d";
  static final Instant TIME = Instant.parse("2024-03-01T12:00:00Z");

  static Map<String, String> known(String tag) {
    return LdflagsTemplate.known(
        tag, tag.replaceFirst("^v", ""), ReleaseNames.commitPlaceholders(COMMIT, TIME));
  }

  @Test
  void knownValuesBecomePlaceholdersAndTheRestStaysLiteral() {
    LdflagsTemplate.Result r =
        LdflagsTemplate.of(
            "-s -w -X main.version=1.3.0 -X main.tag=v1.3.0 -X main.commit="
                + COMMIT
                + " -X=main.short=3e07102 -X main.date=2024-03-01T12:00:00Z"
                + " -X main.unix=1709294400 -X main.builtBy=goreleaser",
            known("v1.3.0"));
    assertEquals(
        "-s -w -X main.version={version} -X main.tag={tag} -X main.commit={commit}"
            + " -X=main.short={shortCommit} -X main.date={date} -X main.unix={timestamp}"
            + " -X main.builtBy=goreleaser",
        r.template());
    assertEquals(List.of("main.builtBy=goreleaser"), r.literals());
  }

  @Test
  void quotedWordsAreSplitAsTheGoCommandSplitsThem() {
    LdflagsTemplate.Result r =
        LdflagsTemplate.of(
            "-X 'main.greeting=hello world' -X \"main.version=1.3.0\"", known("v1.3.0"));
    assertEquals("-X 'main.greeting=hello world' -X \"main.version={version}\"", r.template());
    assertEquals(List.of("main.greeting=hello world"), r.literals());
  }

  @Test
  void aTagWithoutVIsTheVersion() {
    assertEquals(
        "-X main.v={version}", LdflagsTemplate.of("-X main.v=2.0.0", known("2.0.0")).template());
  }

  @Test
  void aValueThatOnlyContainsAKnownValueStaysLiteral() {
    LdflagsTemplate.Result r = LdflagsTemplate.of("-X main.v=1.3.0-custom", known("v1.3.0"));
    assertEquals("-X main.v=1.3.0-custom", r.template());
  }

  @Test
  void bracesCannotBeHeldByATemplate() {
    assertThrows(
        IllegalArgumentException.class, () -> LdflagsTemplate.of("-X main.v={x}", known("v1")));
    assertThrows(
        IllegalArgumentException.class, () -> LdflagsTemplate.of("-X 'main.v=1", known("v1")));
  }
}
