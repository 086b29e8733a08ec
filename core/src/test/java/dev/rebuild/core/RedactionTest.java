package dev.rebuild.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What may be written: secrets by name, credentials in URLs, and token-shaped values go. */
class RedactionTest {

  @Test
  void valuesOfSecretNamesAreRemovedWhole() {
    assertEquals("<redacted>", Redaction.redactValue("GITHUB_TOKEN", "anything"));
    assertEquals("<redacted>", Redaction.redactValue("AWS_SECRET_ACCESS_KEY", "x"));
    assertEquals("<redacted>", Redaction.redactValue("NPM_AUTH", "x"));
    assertEquals("<redacted>", Redaction.redactValue("db_password", "x"));
  }

  @Test
  void credentialsAndTokenShapesInOtherValuesAreRemoved() {
    assertEquals(
        "-L/opt https://git.example.com/x",
        Redaction.redactValue("CGO_LDFLAGS", "-L/opt https://bob:pw@git.example.com/x"));
    assertEquals(
        "-DT=<redacted>", Redaction.redactValue("CGO_CFLAGS", "-DT=ghp_" + "a".repeat(36)));
    assertEquals("-DK=<redacted>", Redaction.redactValue("CGO_CFLAGS", "-DK=AKIAIOSFODNN7EXAMPLE"));
    assertEquals(
        "Authorization: Bearer <redacted>",
        Redaction.redactValue("CGO_CFLAGS", "Authorization: Bearer abcdefgh12345678"));
  }

  @Test
  void ordinaryBuildValuesStayAsTheyAre() {
    for (String v : new String[] {"0", "-O2 -g", "loopvar,rangefunc", "gcc", "AKIA", "ghp_short"}) {
      assertEquals(v, Redaction.redactValue("CGO_CFLAGS", v));
    }
  }
}
