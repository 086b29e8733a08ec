package dev.rebuild.core.release;

import dev.rebuild.core.model.Platform;
import java.util.HashMap;
import java.util.Map;

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

  /** The rebuild label from a template over {@link #placeholders()}. */
  public String label(String template) {
    return dev.rebuild.core.recipe.NameTemplate.parse(template, placeholders().keySet())
        .expand(placeholders());
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
