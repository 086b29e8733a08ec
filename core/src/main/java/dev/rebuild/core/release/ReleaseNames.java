package dev.rebuild.core.release;

import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.NameTemplate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The values the name placeholders take for one release: {@code {project}}, {@code {tag}}, {@code
 * {version}}, {@code {goVersion}}, and per target {@code {os}} and {@code {arch}}.
 *
 * @param goVersion the rebuild's Go as a number ({@code 1.22.12})
 */
public record ReleaseNames(String project, String tag, String goVersion) {

  /**
   * The default rebuild label: the original tag with the new Go ({@code v1.3.0-go1.22.12}). It
   * names image tags, new GitHub releases and Maven versions, so the original's names stay
   * untouched.
   */
  public static final String DEFAULT_LABEL = "{tag}-go{goVersion}";

  /**
   * The placeholder of a rebuild counter in a label ({@code {tag}-r{n}}): one more than the highest
   * published rebuild of the tag.
   */
  public static final String COUNTER = "n";

  /**
   * What a label may look like: a container image tag's characters ({@code [A-Za-z0-9_.-]}, at most
   * 128), which are also safe in a git tag, a Maven version and a URL path without escaping.
   */
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /**
   * Why {@code label} cannot name an image tag, a git tag, a Maven version and a file name prefix,
   * or empty when it can.
   */
  public static Optional<String> labelProblem(String label) {
    if (!LABEL.matcher(label).matches()) {
      return Optional.of(
          "'"
              + label
              + "' is no valid label: use 1 to 128 of A-Z a-z 0-9 _ . - (not starting with . or"
              + " -), as image tags, git tags and URLs all take them");
    }
    if (label.contains("..") || label.endsWith(".") || label.endsWith(".lock")) {
      return Optional.of("'" + label + "' is no valid git tag name ('..', a final '.' or '.lock')");
    }
    return Optional.empty();
  }

  /**
   * Checks a label template before anything is built: known placeholders only, and its expansion
   * for a typical release a valid label.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static void checkLabelTemplate(String template) {
    String sample = new ReleaseNames("project", "v1.0.0", "1.22.12").label(template);
    labelProblem(sample)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
  }

  /** The rebuild label from a template over {@link #placeholders()}. */
  public String label(String template) {
    return NameTemplate.parse(template, placeholders().keySet()).expand(placeholders());
  }

  /** The rebuild label from a template over {@link #placeholders()} and {@code {n}}. */
  public String label(String template, int n) {
    Map<String, String> values = placeholders();
    values.put(COUNTER, Integer.toString(n));
    return NameTemplate.parse(template, values.keySet()).expand(values);
  }

  /**
   * A pattern matching every label {@code template} gives this tag, whatever the Go and counter:
   * group {@code go} holds the Go version, group {@code n} the counter, when the template has them.
   *
   * @throws IllegalArgumentException when the template has an unknown placeholder
   */
  public Pattern labelPattern(String template) {
    Map<String, String> values = placeholders();
    String goMarker = "\u0000G\u0000";
    String nMarker = "\u0000N\u0000";
    values.put("goVersion", goMarker);
    values.put(COUNTER, nMarker);
    String expanded = NameTemplate.parse(template, values.keySet()).expand(values);
    StringBuilder regex = new StringBuilder();
    boolean goSeen = false;
    boolean nSeen = false;
    int from = 0;
    while (from < expanded.length()) {
      int g = expanded.indexOf(goMarker, from);
      int n = expanded.indexOf(nMarker, from);
      int at = g < 0 ? n : n < 0 ? g : Math.min(g, n);
      if (at < 0) {
        break;
      }
      regex.append(Pattern.quote(expanded.substring(from, at)));
      if (at == g) {
        regex.append(goSeen ? "\\k<go>" : "(?<go>\\d+\\.\\d+(?:\\.\\d+)?(?:(?:rc|beta)\\d+)?)");
        goSeen = true;
      } else {
        regex.append(nSeen ? "\\k<n>" : "(?<n>\\d{1,9})");
        nSeen = true;
      }
      from = at + goMarker.length();
    }
    regex.append(Pattern.quote(expanded.substring(from)));
    return Pattern.compile(regex.toString());
  }

  /**
   * The commit placeholders of {@link dev.rebuild.core.recipe.NameTemplate#LDFLAGS_PLACEHOLDERS}:
   * {@code {commit}}, {@code {shortCommit}}, {@code {date}}, {@code {timestamp}}.
   */
  public static Map<String, String> commitPlaceholders(String commit, java.time.Instant time) {
    Map<String, String> values = new HashMap<>();
    values.put("commit", commit);
    values.put("shortCommit", commit.length() > 7 ? commit.substring(0, 7) : commit);
    values.put("date", java.time.format.DateTimeFormatter.ISO_INSTANT.format(time));
    values.put("timestamp", Long.toString(time.getEpochSecond()));
    return values;
  }

  /** The tag without its leading {@code v}. */
  public String version() {
    return tag.startsWith("v") ? tag.substring(1) : tag;
  }

  /** The placeholders that do not depend on the target. */
  public Map<String, String> placeholders() {
    Map<String, String> values = new HashMap<>();
    values.put("project", project);
    values.put("tag", tag);
    values.put("version", version());
    values.put("goVersion", goVersion);
    return values;
  }

  /** Every placeholder for one target; a fresh map the caller may change. */
  public Map<String, String> placeholders(Platform platform) {
    Map<String, String> values = placeholders();
    values.put("os", platform.os());
    values.put("arch", platform.archLabel());
    values.put("goarch", platform.arch());
    return values;
  }
}
