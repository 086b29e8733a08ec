package dev.rebuild.core.publish.github;

import dev.rebuild.core.RebuildException;
import java.net.URI;
import java.util.Locale;

/**
 * The {@code <github>} destination as configured.
 *
 * @param repository {@code owner/name}
 * @param mode {@code attach}, {@code release}, or null: attach when the original release allows it,
 *     else stop and say which mode to choose
 * @param apiUrl the REST API root: {@code https://api.github.com}, or {@code https://HOST/api/v3}
 *     for GitHub Enterprise Server
 * @param token the token; null when none was found (publishing then stops before any request)
 * @param notesTemplate the text of new releases' notes with placeholders, or null for the generated
 *     notes
 * @param replaceAssets replace an asset of ours whose bytes differ (never one that is not ours)
 */
public record GitHubSettings(
    String repository,
    Mode mode,
    URI apiUrl,
    String token,
    String notesTemplate,
    boolean replaceAssets) {

  /** The default API root. */
  public static final URI GITHUB_API = URI.create("https://api.github.com");

  /** How the rebuilt files reach GitHub. */
  public enum Mode {
    /** As assets of the original tag's existing release. */
    ATTACH,
    /** As a new release for the rebuild label, tagged at the original tag's commit. */
    RELEASE;

    /** {@code attach} or {@code release}; blank: null (chosen from the original release). */
    public static Mode parse(String text) throws RebuildException {
      if (text == null || text.isBlank()) {
        return null;
      }
      return switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "attach" -> ATTACH;
        case "release" -> RELEASE;
        default ->
            throw RebuildException.badInput(
                "publish.github.mode", "unknown mode '" + text + "': use attach or release");
      };
    }
  }

  public GitHubSettings {
    apiUrl = apiUrl == null ? GITHUB_API : apiUrl;
  }

  /** Checks what can be checked without the network. */
  public void check() throws RebuildException {
    if (repository == null || !repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
      throw RebuildException.badInput(
          "publish.github.repository",
          "'"
              + repository
              + "' is no GitHub repository: write owner/name, e.g."
              + " <repository>nsqio/nsq</repository>");
    }
    String scheme = apiUrl.getScheme() == null ? "" : apiUrl.getScheme().toLowerCase(Locale.ROOT);
    String host = apiUrl.getHost() == null ? "" : apiUrl.getHost();
    boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    if (!(scheme.equals("https") || scheme.equals("http") && loopback)
        || apiUrl.getRawQuery() != null
        || apiUrl.getRawUserInfo() != null) {
      throw RebuildException.badInput(
          "publish.github.apiUrl",
          "'"
              + apiUrl
              + "' is no API root: use https://api.github.com or, for GitHub Enterprise Server,"
              + " https://HOST/api/v3 (plain HTTP only on this machine's loopback)");
    }
  }

  @Override
  public String toString() {
    return "GitHubSettings[" + repository + ", " + mode + ", " + apiUrl + "]";
  }
}
