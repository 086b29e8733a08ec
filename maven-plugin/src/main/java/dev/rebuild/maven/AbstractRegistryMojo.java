package dev.rebuild.maven;

import dev.rebuild.core.image.CredentialSource;
import dev.rebuild.core.image.DockerConfigCredentials;
import dev.rebuild.core.stage.ImageStage;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * How the goals that read or push container images speak to registries: plain HTTP where asked,
 * which tags may move, and credentials from {@code settings.xml} servers, Docker credential helpers
 * or the Docker config's {@code auths}.
 */
abstract class AbstractRegistryMojo extends RebuildMojoSupport {

  /**
   * Comma-separated registries ({@code host[:port]}) spoken to over plain HTTP instead of HTTPS.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.insecureRegistries")
  String insecureRegistries;

  /**
   * Comma-separated tags the rebuilt images may take over although they already point at another
   * image (by default a rebuild never moves a tag, least of all the original's).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.moveTags")
  String moveTags;

  @Parameter(defaultValue = "${settings}", readonly = true)
  Settings mavenSettings;

  @Component SettingsDecrypter settingsDecrypter;

  /** The registry access this goal's configuration describes. */
  ImageStage.Registries registries() {
    return new ImageStage.Registries(
        commaSet(cli("rebuild.insecureRegistries", insecureRegistries)),
        commaSet(cli("rebuild.moveTags", moveTags)),
        credentials(mavenSettings, settingsDecrypter, DockerConfigCredentials.fromEnvironment()));
  }

  /**
   * The order in which credentials are looked for: the settings.xml {@code <server>} whose id is
   * the registry host, then the Docker config's credential helper for it, then its {@code auths}.
   * The build's own configuration comes first, so a CI settings.xml is never overridden by a
   * desktop login of the same machine.
   */
  static CredentialSource credentials(
      Settings settings, SettingsDecrypter decrypter, DockerConfigCredentials docker) {
    return new SettingsCredentials(settings, decrypter).orElse(docker);
  }

  static Set<String> commaSet(String value) {
    Set<String> out = new LinkedHashSet<>();
    if (value != null) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
