package dev.rebuild.core.buildinfo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The parts of Go's {@code strconv} that {@code runtime/debug.ParseBuildInfo} uses: {@code Unquote}
 * and {@code QuotedPrefix} for double-quoted and back-quoted strings. Works on UTF-8 bytes because
 * Go strings are bytes and {@code \x} escapes may produce any byte.
 */
final class GoQuote {
  private GoQuote() {}

  /** Go's {@code strconv.Unquote} for {@code "..."} and {@code `...`}; null where Go errs. */
  static String unquote(String quoted) {
    byte[] in = quoted.getBytes(StandardCharsets.UTF_8);
    int n = in.length;
    if (n < 2 || in[0] != in[n - 1]) {
      return null;
    }
    byte quote = in[0];
    if (quote == '`') {
      ByteArrayOutputStream out = new ByteArrayOutputStream(n);
      for (int i = 1; i < n - 1; i++) {
        if (in[i] == '`') {
          return null;
        }
        // Go drops carriage returns from raw strings.
        if (in[i] != '\r') {
          out.write(in[i]);
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
    if (quote != '"') {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    int i = 1;
    int end = n - 1;
    while (i < end) {
      int c = in[i] & 0xff;
      if (c == '"' || c == '\n') {
        return null;
      }
      if (c != '\\') {
        out.write(c);
        i++;
        continue;
      }
      if (i + 1 >= end) {
        return null;
      }
      int e = in[i + 1] & 0xff;
      i += 2;
      switch (e) {
        case 'a' -> out.write(7);
        case 'b' -> out.write(8);
        case 'f' -> out.write(12);
        case 'n' -> out.write(10);
        case 'r' -> out.write(13);
        case 't' -> out.write(9);
        case 'v' -> out.write(11);
        case '\\' -> out.write('\\');
        case '"' -> out.write('"');
        case 'x', 'u', 'U' -> {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + digits > end) {
            return null;
          }
          long v = 0;
          for (int k = 0; k < digits; k++) {
            int d = Character.digit(in[i + k], 16);
            if (d < 0) {
              return null;
            }
            v = v * 16 + d;
          }
          i += digits;
          if (e == 'x') {
            out.write((int) v);
          } else {
            if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
              return null;
            }
            byte[] utf8 = new String(Character.toChars((int) v)).getBytes(StandardCharsets.UTF_8);
            out.write(utf8, 0, utf8.length);
          }
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          if (i + 2 > end) {
            return null;
          }
          int v = e - '0';
          for (int k = 0; k < 2; k++) {
            int d = (in[i + k] & 0xff) - '0';
            if (d < 0 || d > 7) {
              return null;
            }
            v = v * 8 + d;
          }
          if (v > 255) {
            return null;
          }
          i += 2;
          out.write(v);
        }
        default -> {
          return null;
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Go's {@code %q} of a string, for the ASCII escapes error messages meet. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case 7 -> b.append("\\a");
        case 8 -> b.append("\\b");
        case 11 -> b.append("\\v");
        case 12 -> b.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * Go's {@code strconv.QuotedPrefix}: the quoted string at the start of {@code s}, or null if
   * there is no valid one.
   */
  static String quotedPrefix(String s) {
    if (s.isEmpty()) {
      return null;
    }
    char quote = s.charAt(0);
    if (quote == '`') {
      int close = s.indexOf('`', 1);
      return close < 0 ? null : s.substring(0, close + 1);
    }
    if (quote != '"') {
      return null;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        return null;
      }
      if (c == '\\') {
        i++;
        continue;
      }
      if (c == '"') {
        String prefix = s.substring(0, i + 1);
        return unquote(prefix) == null ? null : prefix;
      }
    }
    return null;
  }
}
