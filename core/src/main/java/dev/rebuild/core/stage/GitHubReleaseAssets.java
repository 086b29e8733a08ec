package dev.rebuild.core.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.publish.github.GitHubApi.Answer;
import dev.rebuild.core.publish.github.GitHubApi.ApiException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The assets of a GitHub release ({@code github:owner/name}, the release of the tag being rebuilt)
 * as local files: the archives and checksum lists are downloaded through the REST API (the token
 * goes to the API host only), each bounded by its listed size and {@link
 * ArchiveLimits#ORIGINAL_ARTIFACT_BYTES}, checked against the sha256 GitHub lists for it, and never
 * executed. Other assets (packages, signatures, SBOMs) are not fetched.
 */
final class GitHubReleaseAssets {

  private final GitHubApi api;
  private final String repository;
  private final long maxBytes;

  GitHubReleaseAssets(GitHubApi api, String repository, long maxBytes) {
    this.api = api;
    this.repository = repository;
    this.maxBytes = maxBytes;
  }

  /**
   * Downloads the release's archives and checksum lists into {@code work/original/}; sorted by
   * name. An asset whose sha256 GitHub lists comes from {@code cache} when it holds it.
   */
  List<Path> download(String tag, Path work, OriginalRelease cache) throws RebuildException {
    Path dir = work.resolve("original");
    if (!repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
      throw RebuildException.badInput(
          "original",
          "'github:"
              + repository
              + "' names no GitHub repository\nWrite github:owner/name, e.g. github:nsqio/nsq.");
    }
    String where = "github:" + repository;
    try {
      Answer release =
          api.json(
              "GET",
              api.at(
                  "/repos/"
                      + repository
                      + "/releases/tags/"
                      + URLEncoder.encode(tag, StandardCharsets.UTF_8).replace("+", "%20")),
              null);
      if (release.status() == 404) {
        throw RebuildException.badInput(
            "original",
            where
                + " has no published release for the tag "
                + tag
                + " (or the token cannot see it)\nCheck rebuild.original and -Dtag; a private"
                + " repository needs a token (GITHUB_TOKEN, GH_TOKEN or the settings.xml server"
                + " github).");
      }
      if (release.status() != 200) {
        throw GitHubApi.failure("reading the release " + tag + " of " + where, release);
      }
      List<JsonNode> assets =
          api.list(
              api.at(
                  "/repos/"
                      + repository
                      + "/releases/"
                      + release.json().path("id").asLong()
                      + "/assets"));
      Files.createDirectories(dir);
      List<Path> out = new ArrayList<>();
      for (JsonNode asset : assets) {
        String name = asset.path("name").asText("");
        if (!wanted(name)) {
          continue;
        }
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
          throw RebuildException.badInput(
              "original", where + " lists an asset named '" + name + "'; not fetched");
        }
        long size = asset.path("size").asLong(-1);
        if (size > maxBytes) {
          throw RebuildException.badInput(
              "original",
              where
                  + " lists "
                  + name
                  + " with "
                  + size
                  + " bytes, more than the "
                  + ArchiveLimits.describe(maxBytes)
                  + " an original release archive may hold; nothing was fetched");
        }
        String listed = asset.path("digest").asText("");
        String digest =
            listed.startsWith("sha256:")
                ? listed.substring("sha256:".length()).toLowerCase(Locale.ROOT)
                : null;
        Path file = cache.cached(work, name, digest);
        if (file == null) {
          file = fetch(asset, name, dir);
          cache.keep(file, digest);
        }
        out.add(file);
      }
      return out.stream().sorted().toList();
    } catch (ApiException e) {
      throw RebuildException.tool(
          "cannot read the release " + tag + " of " + where + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw RebuildException.tool("cannot write under " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path fetch(JsonNode asset, String name, Path dir) throws IOException, RebuildException {
    Path tmp = dir.resolve(name + ".part");
    Path target = dir.resolve(name);
    try {
      api.download(
          URI.create(asset.path("url").asText()),
          in ->
              Files.copy(
                  new LimitedInputStream(in, maxBytes, name),
                  tmp,
                  StandardCopyOption.REPLACE_EXISTING));
    } catch (ApiException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    String listed = asset.path("digest").asText("");
    if (listed.startsWith("sha256:")) {
      String actual = Digest.of(tmp).hex();
      if (!actual.equalsIgnoreCase(listed.substring("sha256:".length()))) {
        Files.deleteIfExists(tmp);
        throw RebuildException.badInput(
            "original",
            "the asset "
                + name
                + " of github:"
                + repository
                + " downloaded with sha256 "
                + actual
                + ", but GitHub lists "
                + listed
                + "; not used");
      }
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  /** Archives and checksum lists: what the recipe and the comparison read. */
  static boolean wanted(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".tar.gz")
        || lower.endsWith(".tgz")
        || lower.endsWith(".zip")
        || lower.endsWith("checksums.txt")
        || lower.equals("sha256sums");
  }
}
