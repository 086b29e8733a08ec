package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.http.HttpDestination;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;

/**
 * Builds the {@code <maven>} and {@code <http>} destinations from their configuration and the
 * running Maven: the deployment repository from {@code -Drebuild.deployRepository} or {@code
 * <repository>}, HTTP credentials from the settings.xml server {@code <serverId>} (decrypted as
 * Maven does). Failures are bad input naming the parameter.
 */
final class RepositoryDestinations {

  private RepositoryDestinations() {}

  /**
   * The Maven-repository destination.
   *
   * @param deployRepository the {@code rebuild.deployRepository} user property, which wins over
   *     {@code <repository>}; null when not given
   * @param session {@code MavenSession.getRepositorySession()}
   */
  static MavenDestination maven(
      Publish.MavenPublish m,
      String deployRepository,
      RepositorySystem system,
      RepositorySystemSession session)
      throws RebuildException {
    if (session.isOffline()) {
      throw RebuildException.badInput(
          "publish.maven.repository",
          "Maven runs offline (-o), and deploying needs the repository: run without -o, or"
              + " leave maven out of -Drebuild.publish");
    }
    String repository =
        deployRepository != null && !deployRepository.isBlank() ? deployRepository : m.repository;
    return new MavenDestination(system, session, repository, m.groupId, m.artifactId);
  }

  /**
   * The plain-HTTP destination.
   *
   * @param replace {@code rebuild.replaceAssets}
   */
  static HttpDestination http(
      Publish.HttpPublish h, boolean replace, Settings settings, SettingsDecrypter decrypter)
      throws RebuildException {
    return new HttpDestination(h.url, credentials(h.serverId, settings, decrypter), replace);
  }

  static HttpDestination.Credentials credentials(
      String serverId, Settings settings, SettingsDecrypter decrypter) throws RebuildException {
    if (serverId == null || serverId.isBlank()) {
      return null;
    }
    String id = serverId.strip();
    Server server = settings == null ? null : settings.getServer(id);
    if (server == null || server.getUsername() == null) {
      throw RebuildException.badInput(
          "publish.http.serverId",
          "settings.xml has no <server> with the id "
              + id
              + " and a <username>: add one with the <username> and <password> (mvn"
              + " --encrypt-password encrypts it) that may write to the <url>");
    }
    try {
      return new SettingsCredentials(settings, decrypter)
          .forRegistry(id)
          .map(c -> new HttpDestination.Credentials(id, c.username(), c.password()))
          .orElseThrow();
    } catch (IllegalStateException e) {
      throw RebuildException.badInput("publish.http.serverId", e.getMessage());
    }
  }
}
