package dev.rebuild.core.infer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@code -ldflags} a binary records back into a template: every {@code -X
 * importpath.name=value} whose value equals a known value of the release (the version, the tag, the
 * commit, the commit time) gets its placeholder; any other value stays literal and is listed.
 * Tokens are split as the go command splits flag lists ({@code cmd/internal/quoted}: white space,
 * with single- or double-quoted words).
 */
public final class LdflagsTemplate {

  /**
   * The template and what it says.
   *
   * @param template the {@code -ldflags} with placeholders
   * @param literals the {@code -X} assignments kept literal, as {@code name=value}
   * @param placed the {@code -X} assignments that got a placeholder, as {@code name={placeholder}}
   */
  public record Result(String template, List<String> literals, List<String> placed) {}

  private LdflagsTemplate() {}

  /**
   * @param known placeholder to value, tried in order (the first that equals wins)
   * @throws IllegalArgumentException when the flags contain a brace, which a template cannot hold
   *     literally, or an unterminated quote
   */
  public static Result of(String recorded, Map<String, String> known) {
    if (recorded.contains("{") || recorded.contains("}")) {
      throw new IllegalArgumentException(
          "the -ldflags '" + recorded + "' contain a brace, which a name template cannot hold");
    }
    List<int[]> words = split(recorded);
    List<int[]> values = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      int[] w = words.get(i);
      String word = recorded.substring(w[0], w[1]);
      int[] assignment = null;
      if (word.equals("-X") || word.equals("--X")) {
        if (i + 1 < words.size()) {
          assignment = words.get(++i);
        }
      } else if (word.startsWith("-X=") || word.startsWith("--X=")) {
        int eq = word.indexOf('=');
        assignment = new int[] {w[0] + eq + 1, w[1]};
      }
      if (assignment != null) {
        String text = recorded.substring(assignment[0], assignment[1]);
        int eq = text.indexOf('=');
        if (eq > 0) {
          values.add(new int[] {assignment[0] + eq + 1, assignment[1], assignment[0]});
        }
      }
    }
    StringBuilder out = new StringBuilder(recorded);
    List<String> literals = new ArrayList<>();
    List<String> placed = new ArrayList<>();
    for (int i = values.size() - 1; i >= 0; i--) {
      int[] v = values.get(i);
      String name = recorded.substring(v[2], v[0] - 1);
      String value = recorded.substring(v[0], v[1]);
      String placeholder = null;
      for (Map.Entry<String, String> k : known.entrySet()) {
        if (!value.isEmpty() && value.equals(k.getValue())) {
          placeholder = k.getKey();
          break;
        }
      }
      if (placeholder == null) {
        literals.add(0, name + "=" + value);
      } else {
        out.replace(v[0], v[1], "{" + placeholder + "}");
        placed.add(0, name + "={" + placeholder + "}");
      }
    }
    return new Result(out.toString(), literals, placed);
  }

  /** The words of a flag list as {start, end} of their text, quotes excluded. */
  static List<int[]> split(String s) {
    List<int[]> words = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated quote in -ldflags '" + s + "'");
        }
        words.add(new int[] {i + 1, end});
        i = end + 1;
        continue;
      }
      int start = i;
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      words.add(new int[] {start, i});
    }
    return words;
  }

  /** The values known for a release, in the order a literal is matched against them. */
  public static Map<String, String> known(
      String tag, String version, Map<String, String> commitValues) {
    Map<String, String> known = new LinkedHashMap<>();
    known.put("version", version);
    known.put("tag", tag);
    for (String key : List.of("commit", "shortCommit", "date", "timestamp")) {
      if (commitValues.containsKey(key)) {
        known.put(key, commitValues.get(key));
      }
    }
    return known;
  }
}
