package dev.rebuild.maven;

import dev.rebuild.core.image.CredentialSource;
import dev.rebuild.core.image.DockerConfigCredentials;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.stage.ImageStage;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * How the goals that read or push container images speak to registries (plain HTTP where asked,
 * which tags may move, and credentials from {@code settings.xml} servers, Docker credential helpers
 * or the Docker config's {@code auths}), and where the goals that publish upload the files.
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

  /**
   * Where the committed files (archives, checksums, manifest, verification report) are uploaded
   * besides the images: {@code <github>}, {@code <maven>}, {@code <http>}; see the README,
   * Publishing. Nothing is uploaded when none is configured.
   *
   * @since 0.3.0
   */
  @Parameter Publish publish;

  /**
   * Comma-separated destination kinds of {@code <publish>} this run uploads to ({@code
   * github,maven,http}); default: every configured one. A kind that is not configured fails. Images
   * are pushed regardless.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.publish")
  String publishTo;

  /**
   * Replace a file that an earlier rebuild published under the same name with other bytes. Files
   * that are not the rebuild's (the original release's own) are never touched, even then.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.replaceAssets", defaultValue = "false")
  boolean replaceAssets;

  @Parameter(defaultValue = "${settings}", readonly = true)
  Settings mavenSettings;

  @Component SettingsDecrypter settingsDecrypter;

  /**
   * The Maven repository {@code <publish><maven>} deploys to, {@code id::url}, instead of its
   * {@code <repository>}, as maven-deploy-plugin's {@code altDeploymentRepository}; the id names
   * the settings.xml {@code <server>} with the credentials.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.deployRepository")
  String deployRepository;

  /** The running Maven's repository system: {@code <publish><maven>} deploys through it. */
  @Component org.eclipse.aether.RepositorySystem repositorySystem;

  /** The registry access this goal's configuration describes. */
  ImageStage.Registries registries() {
    return new ImageStage.Registries(
        commaSet(cli("rebuild.insecureRegistries", insecureRegistries)),
        commaSet(cli("rebuild.moveTags", moveTags)),
        credentials(mavenSettings, settingsDecrypter, DockerConfigCredentials.fromEnvironment()));
  }

  /** The {@code <publish>} destinations this run uploads to. */
  List<Destination> destinations() throws MojoFailureException {
    return PublishDestinations.of(
        publish,
        cli("rebuild.publish", publishTo),
        Boolean.parseBoolean(cli("rebuild.replaceAssets", Boolean.toString(replaceAssets))),
        publishContext());
  }

  /** What destinations and GitHub readers take from Maven: the session, settings, environment. */
  PublishDestinations.Context publishContext() {
    return new PublishDestinations.Context(
        session,
        mavenSettings,
        settingsDecrypter,
        System.getenv(),
        baseDirectory(),
        getLog(),
        repositorySystem,
        cli("rebuild.deployRepository", deployRepository));
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
