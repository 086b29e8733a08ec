package dev.rebuild.core;

import java.util.regex.Pattern;

/** Keeps credentials out of logs, messages and manifests. */
public final class Redaction {

  private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");

  private Redaction() {}

  /** Removes {@code user:password@} from every URL inside {@code text}. */
  public static String redact(String text) {
    return text == null ? null : USERINFO.matcher(text).replaceAll("");
  }
}
