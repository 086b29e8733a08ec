package dev.rebuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.Destination;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;

/**
 * How {@code <publish>} becomes destinations: which token wins (settings.xml server,
 * Maven-encrypted with a real settings-security.xml, then GITHUB_TOKEN, then GH_TOKEN), and the
 * errors for a selection or configuration that cannot work.
 */
class PublishDestinationsTest {

  @TempDir Path dir;

  private final DefaultPlexusCipher cipher = new DefaultPlexusCipher();

  private PublishDestinations.Context context(Settings settings, Map<String, String> env)
      throws Exception {
    return new PublishDestinations.Context(
        null,
        settings,
        SettingsCredentialsTest.decrypter(dir, cipher, "master-pw"),
        env,
        dir,
        new SystemStreamLog(),
        null,
        null);
  }

  private static Settings servers(String... idAndPassword) {
    Settings settings = new Settings();
    for (int i = 0; i < idAndPassword.length; i += 2) {
      Server s = new Server();
      s.setId(idAndPassword[i]);
      s.setPassword(idAndPassword[i + 1]);
      settings.addServer(s);
    }
    return settings;
  }

  private static Publish github(String repository) {
    Publish p = new Publish();
    p.github = new Publish.GitHubPublish();
    p.github.repository = repository;
    return p;
  }

  @Test
  void theSettingsServerWinsOverTheEnvironmentAndItsEncryptedPasswordIsTheToken() throws Exception {
    String encrypted = cipher.encryptAndDecorate("ghp_from-settings", "master-pw");
    var ctx =
        context(
            servers("github", encrypted),
            Map.of("GITHUB_TOKEN", "ghp_from-env", "GH_TOKEN", "ghp_gh"));
    assertEquals("ghp_from-settings", PublishDestinations.token("github", false, ctx));
  }

  @Test
  void withoutAServerGithubTokenThenGhToken() throws Exception {
    assertEquals(
        "ghp_from-env",
        PublishDestinations.token(
            "github",
            false,
            context(new Settings(), Map.of("GITHUB_TOKEN", "ghp_from-env", "GH_TOKEN", "ghp_gh"))));
    assertEquals(
        "ghp_gh",
        PublishDestinations.token(
            "github", false, context(new Settings(), Map.of("GH_TOKEN", "ghp_gh"))));
  }

  @Test
  void anExplicitServerIdTakesThatServerOnly() throws Exception {
    var ctx = context(new Settings(), Map.of("GITHUB_TOKEN", "ghp_from-env"));
    assertNull(PublishDestinations.token("ci-github", true, ctx));
  }

  @Test
  void anUndecryptableTokenFailsWithoutShowingIt() throws Exception {
    String encrypted = cipher.encryptAndDecorate("ghp_secret", "another-master");
    var ctx = context(servers("github", encrypted), Map.of());
    RebuildException e =
        assertThrows(RebuildException.class, () -> PublishDestinations.token("github", false, ctx));
    assertTrue(e.getMessage().contains("<server> github"), e.getMessage());
    assertTrue(!e.getMessage().contains("ghp_secret"));
  }

  @Test
  void noTokenFailsBeforeTheBuildNamingWhereToPutIt() throws Exception {
    MojoFailureException e =
        assertThrows(
            MojoFailureException.class,
            () ->
                PublishDestinations.of(
                    github("nsqio/nsq"), null, false, context(new Settings(), Map.of())));
    assertTrue(e.getMessage().contains("no GitHub token for nsqio/nsq"), e.getMessage());
    assertTrue(e.getMessage().contains("GITHUB_TOKEN"), e.getMessage());
    assertTrue(e.getMessage().contains("[parameter: <publish><github><serverId>]"), e.getMessage());
  }

  @Test
  void badConfigurationNamesTheElement() throws Exception {
    var ctx = context(new Settings(), Map.of("GITHUB_TOKEN", "t"));
    MojoFailureException repo =
        assertThrows(
            MojoFailureException.class,
            () -> PublishDestinations.of(github("nsq"), null, false, ctx));
    assertTrue(repo.getMessage().contains("<publish><github><repository>"), repo.getMessage());
    Publish mode = github("nsqio/nsq");
    mode.github.mode = "overwrite";
    MojoFailureException m =
        assertThrows(
            MojoFailureException.class, () -> PublishDestinations.of(mode, null, false, ctx));
    assertTrue(m.getMessage().contains("use attach or release"), m.getMessage());
    Publish api = github("nsqio/nsq");
    api.github.apiUrl = "http://github.example.com/api/v3";
    MojoFailureException a =
        assertThrows(
            MojoFailureException.class, () -> PublishDestinations.of(api, null, false, ctx));
    assertTrue(
        a.getMessage().contains("plain HTTP only on this machine's loopback"), a.getMessage());
  }

  @Test
  void theSelectionLimitsTheRunToConfiguredKinds() throws Exception {
    var ctx = context(new Settings(), Map.of("GITHUB_TOKEN", "t"));
    Publish p = github("nsqio/nsq");
    List<Destination> all = PublishDestinations.of(p, null, false, ctx);
    assertEquals(List.of("github:nsqio/nsq"), all.stream().map(Destination::id).toList());
    MojoFailureException notConfigured =
        assertThrows(
            MojoFailureException.class,
            () -> PublishDestinations.of(p, "github,maven", false, ctx));
    assertTrue(notConfigured.getMessage().contains("<publish> has no <maven>"));
    MojoFailureException unknown =
        assertThrows(MojoFailureException.class, () -> PublishDestinations.of(p, "s3", false, ctx));
    assertTrue(unknown.getMessage().contains("'s3' is no destination kind"));
    assertEquals(List.of(), PublishDestinations.of(null, null, false, ctx));
  }
}
