package dev.rebuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.http.HttpDestination;
import java.nio.file.Path;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;

/** The HTTP credentials from settings.xml (Maven's own decrypter) and the Maven repository spec. */
class RepositoryDestinationsTest {

  @TempDir Path dir;
  final DefaultPlexusCipher cipher = new DefaultPlexusCipher();

  DefaultSettingsDecrypter decrypter() throws Exception {
    return SettingsCredentialsTest.decrypter(dir, cipher, "master-pw");
  }

  @Test
  void httpCredentialsComeDecryptedFromTheNamedServer() throws Exception {
    Settings settings =
        SettingsCredentialsTest.settings(
            "raw", "ci", cipher.encryptAndDecorate("s3cret", "master-pw"));
    HttpDestination.Credentials c =
        RepositoryDestinations.credentials("raw", settings, decrypter());
    assertEquals(new HttpDestination.Credentials("raw", "ci", "s3cret"), c);
    assertFalse(c.toString().contains("s3cret"), c.toString());
    assertNull(RepositoryDestinations.credentials(null, settings, decrypter()));
  }

  @Test
  void aMissingServerIsNamedWithTheFix() throws Exception {
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () -> RepositoryDestinations.credentials("nexus-raw", new Settings(), decrypter()));
    assertEquals("publish.http.serverId", e.parameter());
    assertTrue(e.getMessage().contains("no <server> with the id nexus-raw"), e.getMessage());
  }

  @Test
  void theCommandLineRepositoryWinsAndOfflineIsRefused() throws Exception {
    DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
    Publish.MavenPublish m = new Publish.MavenPublish();
    m.groupId = "io.nsq";
    m.repository = "pom::https://repo.example.com/pom";
    MavenDestination d =
        RepositoryDestinations.maven(
            m, "cli::https://repo.example.com/cli", MavenDestinationTest.system(), session);
    assertEquals("maven:https://repo.example.com/cli#io.nsq", d.id());
    assertEquals(
        "maven:https://repo.example.com/pom#io.nsq",
        RepositoryDestinations.maven(m, null, MavenDestinationTest.system(), session).id());
    session.setOffline(true);
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () -> RepositoryDestinations.maven(m, null, MavenDestinationTest.system(), session));
    assertTrue(e.getMessage().contains("run without -o"), e.getMessage());
  }
}
