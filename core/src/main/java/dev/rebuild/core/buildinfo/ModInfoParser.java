package dev.rebuild.core.buildinfo;

import java.util.ArrayList;
import java.util.List;

/**
 * A port of {@code runtime/debug.ParseBuildInfo}: the text after the sentinel framing has been
 * removed, one {@code path}, {@code mod}, {@code dep}, {@code =>} or {@code build} line each.
 */
final class ModInfoParser {
  private ModInfoParser() {}

  /** Thrown with Go's message (including the line number) for text Go would reject. */
  static final class ParseException extends Exception {
    ParseException(String message) {
      super(message);
    }
  }

  static BuildInfo parse(String goVersion, String data) throws ParseException {
    String path = "";
    Module main = null;
    List<Module> deps = new ArrayList<>();
    List<Setting> settings = new ArrayList<>();
    // Index of the module a "=>" line replaces: -1 for main, -2 for none.
    int last = -2;
    int lineNum = 1;
    int pos = 0;
    while (pos < data.length()) {
      int nl = data.indexOf('\n', pos);
      if (nl < 0) {
        // Go ignores a final line without newline.
        break;
      }
      String line = data.substring(pos, nl);
      pos = nl + 1;
      try {
        if (line.startsWith("path\t")) {
          path = line.substring(5);
        } else if (line.startsWith("mod\t")) {
          main = moduleLine(line.substring(4));
          last = -1;
        } else if (line.startsWith("dep\t")) {
          deps.add(moduleLine(line.substring(4)));
          last = deps.size() - 1;
        } else if (line.startsWith("=>\t")) {
          String[] elem = line.substring(3).split("\t", -1);
          if (elem.length != 3) {
            throw new ParseException("expected 3 columns for replacement; got " + elem.length);
          }
          if (last == -2) {
            throw new ParseException("replacement with no module on previous line");
          }
          Module replacement = new Module(elem[0], elem[1], elem[2], null);
          if (last == -1) {
            main = new Module(main.path(), main.version(), main.sum(), replacement);
          } else {
            Module m = deps.get(last);
            deps.set(last, new Module(m.path(), m.version(), m.sum(), replacement));
          }
          last = -2;
        } else if (line.startsWith("build\t")) {
          settings.add(buildLine(line.substring(6)));
        }
      } catch (ParseException e) {
        throw new ParseException(
            "could not parse Go build info: line " + lineNum + ": " + e.getMessage());
      }
      lineNum++;
    }
    return new BuildInfo(goVersion, path, main, deps, settings);
  }

  private static Module moduleLine(String rest) throws ParseException {
    String[] elem = rest.split("\t", -1);
    if (elem.length != 2 && elem.length != 3) {
      throw new ParseException("expected 2 or 3 columns; got " + elem.length);
    }
    return new Module(elem[0], elem[1], elem.length == 3 ? elem[2] : "", null);
  }

  private static Setting buildLine(String kv) throws ParseException {
    if (kv.isEmpty()) {
      throw new ParseException("build line missing '='");
    }
    String key;
    String rawValue;
    char first = kv.charAt(0);
    if (first == '=') {
      throw new ParseException("build line with missing key");
    } else if (first == '`' || first == '"') {
      String rawKey = GoQuote.quotedPrefix(kv);
      if (rawKey == null) {
        throw new ParseException("invalid quoted key in build line");
      }
      if (kv.length() == rawKey.length()) {
        throw new ParseException("build line missing '=' after quoted key");
      }
      char c = kv.charAt(rawKey.length());
      if (c != '=') {
        throw new ParseException("unexpected character after quoted key: '" + c + "'");
      }
      key = GoQuote.unquote(rawKey);
      rawValue = kv.substring(rawKey.length() + 1);
    } else {
      int eq = kv.indexOf('=');
      if (eq < 0) {
        throw new ParseException("build line missing '=' after key");
      }
      key = kv.substring(0, eq);
      rawValue = kv.substring(eq + 1);
      if (quoteKey(key)) {
        throw new ParseException("unquoted key " + GoQuote.quote(key) + " must be quoted");
      }
    }
    String value = "";
    if (!rawValue.isEmpty()) {
      char v = rawValue.charAt(0);
      if (v == '`' || v == '"') {
        value = GoQuote.unquote(rawValue);
        if (value == null) {
          throw new ParseException("invalid quoted value in build line");
        }
      } else {
        value = rawValue;
        if (containsAny(value, " \t\r\n\"`")) {
          throw new ParseException("unquoted value " + GoQuote.quote(value) + " must be quoted");
        }
      }
    }
    return new Setting(key, value);
  }

  private static boolean quoteKey(String key) {
    return key.isEmpty() || containsAny(key, "= \t\r\n\"`");
  }

  private static boolean containsAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
