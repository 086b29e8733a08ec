package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.github.GitHubDestination;
import dev.rebuild.core.publish.github.GitHubSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The one place the {@code <publish>} configuration becomes core {@link Destination}s, in the order
 * github, maven, http, limited to the kinds {@code -Drebuild.publish} names. Credentials are looked
 * up here and handed to the destination; none is logged.
 */
final class PublishDestinations {

  /** The kinds {@code -Drebuild.publish} may name. */
  static final List<String> KINDS = List.of("github", "maven", "http");

  /**
   * What building a destination may need from the running Maven.
   *
   * @param environment this process's environment (GITHUB_TOKEN, GH_TOKEN)
   */
  record Context(
      MavenSession session,
      Settings settings,
      SettingsDecrypter decrypter,
      Map<String, String> environment,
      Path baseDirectory,
      Log log) {}

  private PublishDestinations() {}

  /**
   * The configured destinations that {@code selection} names (null or blank: all of them).
   *
   * @param replaceAssets {@code rebuild.replaceAssets}
   */
  static List<Destination> of(
      Publish publish, String selection, boolean replaceAssets, Context context)
      throws MojoFailureException {
    Set<String> selected = selection(publish, selection);
    List<Destination> out = new ArrayList<>();
    if (publish == null) {
      return out;
    }
    if (publish.github != null && selected.contains("github")) {
      out.add(github(publish.github, replaceAssets, context));
    }
    if (publish.maven != null && selected.contains("maven")) {
      out.add(maven(publish.maven, replaceAssets, context));
    }
    if (publish.http != null && selected.contains("http")) {
      out.add(http(publish.http, replaceAssets, context));
    }
    return out;
  }

  private static Set<String> selection(Publish publish, String selection)
      throws MojoFailureException {
    if (selection == null || selection.isBlank()) {
      return Set.copyOf(KINDS);
    }
    Set<String> out = AbstractRegistryMojo.commaSet(selection.toLowerCase(Locale.ROOT));
    for (String kind : out) {
      if (!KINDS.contains(kind)) {
        throw new MojoFailureException(
            "Bad -Drebuild.publish: '" + kind + "' is no destination kind; use some of " + KINDS);
      }
      boolean configured =
          publish != null
              && switch (kind) {
                case "github" -> publish.github != null;
                case "maven" -> publish.maven != null;
                default -> publish.http != null;
              };
      if (!configured) {
        throw new MojoFailureException(
            "-Drebuild.publish names "
                + kind
                + ", but <publish> has no <"
                + kind
                + ">: configure it (see the README, Publishing) or leave it out of"
                + " -Drebuild.publish");
      }
    }
    return out;
  }

  static Destination github(Publish.GitHubPublish g, boolean replaceAssets, Context context)
      throws MojoFailureException {
    GitHubSettings settings;
    try {
      String serverId = g.serverId == null || g.serverId.isBlank() ? "github" : g.serverId.strip();
      String notes = null;
      if (g.notesTemplate != null) {
        Path file = context.baseDirectory().resolve(g.notesTemplate.toPath()).normalize();
        try {
          notes = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw RebuildException.badInput(
              "publish.github.notesTemplate", "cannot read " + file + ": " + e.getMessage());
        }
      }
      URI api;
      try {
        api = g.apiUrl == null || g.apiUrl.isBlank() ? null : URI.create(g.apiUrl.strip());
      } catch (IllegalArgumentException e) {
        throw RebuildException.badInput(
            "publish.github.apiUrl", "'" + g.apiUrl + "' is no URL: " + e.getMessage());
      }
      String token = token(serverId, g.serverId != null && !g.serverId.isBlank(), context);
      settings =
          new GitHubSettings(
              g.repository == null ? null : g.repository.strip(),
              GitHubSettings.Mode.parse(g.mode),
              api,
              token,
              notes,
              replaceAssets);
      settings.check();
      if (token == null) {
        throw RebuildException.badInput(
            "publish.github.serverId",
            "no GitHub token for "
                + settings.repository()
                + ": add a settings.xml <server> with the id "
                + serverId
                + " whose <password> is the token (mvn --encrypt-password encrypts it), or set"
                + " GITHUB_TOKEN or GH_TOKEN");
      }
    } catch (RebuildException e) {
      throw new MojoFailureException(RebuildMojoSupport.translate(e).getMessage(), e);
    }
    return new GitHubDestination(settings);
  }

  /**
   * The token: the settings.xml server's password first (the build's own configuration is never
   * overridden by the machine's environment), then GITHUB_TOKEN, then GH_TOKEN; with an explicit
   * {@code <serverId>}, that server only.
   */
  static String token(String serverId, boolean explicit, Context context) throws RebuildException {
    Optional<String> fromSettings;
    try {
      fromSettings =
          new SettingsCredentials(context.settings(), context.decrypter()).password(serverId);
    } catch (IllegalStateException e) {
      throw RebuildException.badInput("publish.github.serverId", e.getMessage());
    }
    if (fromSettings.isPresent() || explicit) {
      return fromSettings.orElse(null);
    }
    for (String variable : List.of("GITHUB_TOKEN", "GH_TOKEN")) {
      String v = context.environment().get(variable);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  /** The lead wires the Maven-repository destination in here. */
  static Destination maven(Publish.MavenPublish m, boolean replaceAssets, Context context)
      throws MojoFailureException {
    throw new MojoFailureException(
        "<publish><maven> is not available in this build; leave it out, or limit the run with"
            + " -Drebuild.publish=github");
  }

  /** The lead wires the plain-HTTP destination in here. */
  static Destination http(Publish.HttpPublish h, boolean replaceAssets, Context context)
      throws MojoFailureException {
    throw new MojoFailureException(
        "<publish><http> is not available in this build; leave it out, or limit the run with"
            + " -Drebuild.publish=github");
  }
}
