package dev.rebuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.image.CredentialSource;
import dev.rebuild.core.image.CredentialSource.Credential;
import dev.rebuild.core.image.DockerConfigCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

/** Against Maven's own decrypter and a real settings-security.xml, as {@code mvn -ep} writes it. */
class SettingsCredentialsTest {

  @TempDir Path dir;

  private final DefaultPlexusCipher cipher = new DefaultPlexusCipher();

  private DefaultSettingsDecrypter decrypter(String master) throws Exception {
    return decrypter(dir, cipher, master);
  }

  /** Maven's decrypter with a settings-security.xml in {@code dir} holding {@code master}. */
  static DefaultSettingsDecrypter decrypter(Path dir, DefaultPlexusCipher cipher, String master)
      throws Exception {
    Path security = dir.resolve("settings-security.xml");
    Files.writeString(
        security,
        "<settingsSecurity><master>"
            + cipher.encryptAndDecorate(master, "settings.security")
            + "</master></settingsSecurity>\n");
    return new DefaultSettingsDecrypter(
        new DefaultSecDispatcher(cipher, Map.of(), security.toString()));
  }

  static Settings settings(String id, String user, String password) {
    Server s = new Server();
    s.setId(id);
    s.setUsername(user);
    s.setPassword(password);
    Settings settings = new Settings();
    settings.addServer(s);
    return settings;
  }

  @Test
  void theServerWhoseIdIsTheRegistryGivesItsDecryptedPassword() throws Exception {
    String encrypted = cipher.encryptAndDecorate("s3cret", "master-pw");
    SettingsCredentials creds =
        new SettingsCredentials(
            settings("registry.example.org:5000", "ci", encrypted), decrypter("master-pw"));
    assertEquals(
        Optional.of(new Credential("ci", "s3cret")),
        creds.forRegistry("registry.example.org:5000"));
    assertEquals(Optional.empty(), creds.forRegistry("registry.example.org"));
  }

  @Test
  void aPlainPasswordIsTakenAsIs() throws Exception {
    SettingsCredentials creds =
        new SettingsCredentials(settings("ghcr.io", "ci", "plain"), decrypter("m"));
    assertEquals(Optional.of(new Credential("ci", "plain")), creds.forRegistry("ghcr.io"));
  }

  @Test
  void anUndecryptablePasswordFailsWithoutShowingIt() throws Exception {
    String encrypted = cipher.encryptAndDecorate("s3cret", "master-pw");
    SettingsCredentials creds =
        new SettingsCredentials(settings("ghcr.io", "ci", encrypted), decrypter("other-master"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> creds.forRegistry("ghcr.io"));
    assertTrue(e.getMessage().contains("<server> ghcr.io"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertFalse(e.getMessage().contains(encrypted), e.getMessage());
  }

  @Test
  void withoutAServerDockerConfigAnswers() throws Exception {
    Path config = dir.resolve("config.json");
    String auth = Base64.getEncoder().encodeToString("bot:tok".getBytes(StandardCharsets.UTF_8));
    Files.writeString(config, "{\"auths\":{\"quay.io\":{\"auth\":\"" + auth + "\"}}}");
    CredentialSource creds =
        new SettingsCredentials(settings("ghcr.io", "ci", "plain"), decrypter("m"))
            .orElse(new DockerConfigCredentials(config));
    assertEquals(Optional.of(new Credential("bot", "tok")), creds.forRegistry("quay.io"));
    assertEquals(Optional.of(new Credential("ci", "plain")), creds.forRegistry("ghcr.io"));
    assertEquals(Optional.empty(), creds.forRegistry("docker.io"));
  }

  @Test
  void settingsThenCredentialHelperThenAuths() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path asked = dir.resolve("asked");
    Path helper = bin.resolve("docker-credential-vault");
    Files.writeString(
        helper,
        "#!/bin/sh\nhost=$(cat)\necho \"$host\" >> "
            + asked
            + "\necho '{\"Username\":\"helper\",\"Secret\":\"h\"}'\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path config = dir.resolve("config.json");
    String auth = Base64.getEncoder().encodeToString("bot:tok".getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        config,
        "{\"credHelpers\":{\"quay.io\":\"vault\",\"ghcr.io\":\"vault\"},"
            + "\"auths\":{\"quay.io\":{\"auth\":\""
            + auth
            + "\"},\"gcr.io\":{\"auth\":\""
            + auth
            + "\"}}}");
    CredentialSource creds =
        AbstractRegistryMojo.credentials(
            settings("ghcr.io", "ci", "plain"),
            decrypter("m"),
            new DockerConfigCredentials(config, Map.of("PATH", bin + ":/usr/bin:/bin")));
    assertEquals(Optional.of(new Credential("ci", "plain")), creds.forRegistry("ghcr.io"));
    assertEquals(Optional.of(new Credential("helper", "h")), creds.forRegistry("quay.io"));
    assertEquals(Optional.of(new Credential("bot", "tok")), creds.forRegistry("gcr.io"));
    assertEquals("quay.io\n", Files.readString(asked), "the helper is not asked for ghcr.io");
  }
}
