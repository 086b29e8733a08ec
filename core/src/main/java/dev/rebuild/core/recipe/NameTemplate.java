package dev.rebuild.core.recipe;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A name with {@code {placeholder}} parts, checked when parsed so that a typo fails before anything
 * is built.
 */
public record NameTemplate(String text, Set<String> placeholders) {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

  /**
   * @param allowed the placeholders this template may use
   * @throws IllegalArgumentException naming the unknown placeholder and the known ones
   */
  public static NameTemplate parse(String text, Set<String> allowed) {
    Set<String> used = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      String name = m.group(1);
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(
            "unknown placeholder {"
                + name
                + "} in '"
                + text
                + "'; known placeholders: "
                + String.join(
                    ", ", new TreeSet<>(allowed).stream().map(p -> "{" + p + "}").toList()));
      }
      used.add(name);
    }
    String rest = PLACEHOLDER.matcher(text).replaceAll("");
    if (rest.contains("{") || rest.contains("}")) {
      throw new IllegalArgumentException("unbalanced brace in '" + text + "'");
    }
    return new NameTemplate(text, Set.copyOf(used));
  }

  /** Replaces every placeholder; all must have a value. */
  public String expand(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("no value for {" + m.group(1) + "} in '" + text + "'");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Every placeholder the release-level templates know. */
  public static final Set<String> RELEASE_PLACEHOLDERS =
      Set.of("project", "version", "tag", "os", "arch", "goarch", "goVersion");

  /**
   * What {@code -ldflags} may use besides {@link #RELEASE_PLACEHOLDERS}: the tag's commit ({@code
   * {commit}}, {@code {shortCommit}} its first 7 hex digits) and commit time ({@code {date}} as RFC
   * 3339 in UTC, {@code {timestamp}} in Unix seconds), the values release scripts stamp.
   */
  public static final Set<String> LDFLAGS_PLACEHOLDERS =
      Set.of(
          "project",
          "version",
          "tag",
          "os",
          "arch",
          "goarch",
          "goVersion",
          "commit",
          "shortCommit",
          "date",
          "timestamp");
}
