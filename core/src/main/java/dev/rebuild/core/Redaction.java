package dev.rebuild.core;

import java.util.regex.Pattern;

/** Keeps credentials out of logs, messages and manifests. */
public final class Redaction {

  private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");

  /**
   * Tokens by their well-known shapes: GitHub ({@code ghp_}, {@code gho_}, {@code ghs_}, {@code
   * ghu_}, {@code ghr_}, {@code github_pat_}), GitLab ({@code glpat-}), Slack ({@code xox?-}), AWS
   * access key ids ({@code AKIA}/{@code ASIA}), and {@code Bearer}/{@code Basic} header values.
   */
  private static final Pattern TOKEN =
      Pattern.compile(
          "\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}"
              + "|xox[abprs]-[A-Za-z0-9-]{10,}|A(?:KIA|SIA)[A-Z0-9]{16})\\b"
              + "|(?i)(?<=\\b(?:bearer|basic) )[A-Za-z0-9._~+/=-]{8,}");

  /** Names whose values are secrets whatever they look like. */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(token|secret|passw(or)?d|credential|auth|private_?key|api_?key).*");

  /** What a removed secret is written as. */
  public static final String REDACTED = "<redacted>";

  private Redaction() {}

  /**
   * A value that may be written or logged: {@link #REDACTED} when {@code name} names a secret, else
   * the value without URL credentials and without anything shaped like a token.
   */
  public static String redactValue(String name, String value) {
    if (value == null) {
      return null;
    }
    if (name != null && SECRET_NAME.matcher(name).matches()) {
      return REDACTED;
    }
    return TOKEN.matcher(redact(value)).replaceAll(REDACTED);
  }

  /** Removes {@code user:password@} from every URL inside {@code text}. */
  public static String redact(String text) {
    return text == null ? null : USERINFO.matcher(text).replaceAll("");
  }
}
