package dev.rebuild.maven;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.provenance.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;

/** The signing key from a file or a settings.xml server, decrypted by Maven's own decrypter. */
class SigningKeyTest {

  @TempDir Path dir;

  private final DefaultPlexusCipher cipher = new DefaultPlexusCipher();
  private final KeyPair pair = keyPair();

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String pem() {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private DefaultSettingsDecrypter decrypter() throws Exception {
    return SettingsCredentialsTest.decrypter(dir, cipher, "master-pw");
  }

  private static Settings settings(Server s) {
    Settings settings = new Settings();
    settings.addServer(s);
    return settings;
  }

  private void assertSignsWithTheKey(Signer signer) throws Exception {
    byte[] data = "DSSEv1 4 type 4 body".getBytes(StandardCharsets.UTF_8);
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(pair.getPublic());
    v.update(data);
    assertTrue(v.verify(signer.sign(data)));
  }

  @Test
  void aFileRelativeToTheDirectoryMavenRunsIn() throws Exception {
    Files.writeString(dir.resolve("rebuild.key"), pem());
    assertSignsWithTheKey(SigningKey.load(dir, "rebuild.key", null, null, decrypter()));
    assertNull(SigningKey.load(dir, null, " ", null, decrypter()));
  }

  @Test
  void aServerWhoseEncryptedPasswordHoldsThePem() throws Exception {
    Server s = new Server();
    s.setId("rebuild-signing");
    s.setPassword(cipher.encryptAndDecorate(pem(), "master-pw"));
    assertSignsWithTheKey(SigningKey.load(dir, null, "rebuild-signing", settings(s), decrypter()));
  }

  @Test
  void aServerWhosePrivateKeyNamesTheFile() throws Exception {
    Path key = Files.writeString(dir.resolve("k.pem"), pem());
    Server s = new Server();
    s.setId("rebuild-signing");
    s.setPrivateKey(key.toString());
    assertSignsWithTheKey(SigningKey.load(dir, null, "rebuild-signing", settings(s), decrypter()));
  }

  @Test
  void mistakesNameTheParameterAndNeverTheKey() throws Exception {
    Files.writeString(dir.resolve("k.pem"), pem());
    MojoFailureException both =
        assertThrows(
            MojoFailureException.class,
            () -> SigningKey.load(dir, "k.pem", "id", new Settings(), decrypter()));
    assertTrue(both.getMessage().contains("give one"), both.getMessage());
    MojoFailureException none =
        assertThrows(
            MojoFailureException.class,
            () -> SigningKey.load(dir, null, "nope", new Settings(), decrypter()));
    assertTrue(none.getMessage().contains("no <server> with id nope"), none.getMessage());
    assertTrue(none.getMessage().contains("-Drebuild.signingKeyServer"), none.getMessage());
    MojoFailureException missing =
        assertThrows(
            MojoFailureException.class,
            () -> SigningKey.load(dir, "missing.pem", null, null, decrypter()));
    assertTrue(missing.getMessage().contains("-Drebuild.signingKey"), missing.getMessage());

    String body =
        Base64.getEncoder().encodeToString("not a key at all".getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dir.resolve("bad.pem"),
        "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
    MojoFailureException bad =
        assertThrows(
            MojoFailureException.class,
            () -> SigningKey.load(dir, "bad.pem", null, null, decrypter()));
    assertTrue(bad.getMessage().contains("cannot be used"), bad.getMessage());
    assertFalse(bad.getMessage().contains(body), bad.getMessage());

    Server s = new Server();
    s.setId("empty");
    s.setPassword("just a password");
    MojoFailureException empty =
        assertThrows(
            MojoFailureException.class,
            () -> SigningKey.load(dir, null, "empty", settings(s), decrypter()));
    assertTrue(empty.getMessage().contains("holds no signing key"), empty.getMessage());
    assertFalse(empty.getMessage().contains("just a password"), empty.getMessage());
  }
}
