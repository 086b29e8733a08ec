package dev.rebuild.maven;

import dev.rebuild.core.provenance.KeySigner;
import dev.rebuild.core.provenance.Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The key provenance and VEX are signed with: a PEM file ({@code rebuild.signingKey}) or a {@code
 * settings.xml} server ({@code rebuild.signingKeyServer}) whose {@code <privateKey>} names the PEM
 * file or whose {@code <password>} holds the PEM text (which Maven can encrypt). The key is read
 * once, never logged, and never named in an error beyond where it came from.
 */
final class SigningKey {

  private SigningKey() {}

  /** The signer, or null when neither parameter is set. */
  static Signer load(
      Path base, String file, String serverId, Settings settings, SettingsDecrypter decrypter)
      throws MojoFailureException {
    boolean hasFile = file != null && !file.isBlank();
    boolean hasServer = serverId != null && !serverId.isBlank();
    if (hasFile && hasServer) {
      throw new MojoFailureException(
          "Both <signingKey> and <signingKeyServer> are set; give one: -Drebuild.signingKey=FILE"
              + " or -Drebuild.signingKeyServer=ID.");
    }
    if (hasFile) {
      Path path = base.resolve(file.strip()).normalize();
      return fromFile(path, "<signingKey> / -Drebuild.signingKey");
    }
    if (!hasServer) {
      return null;
    }
    String id = serverId.strip();
    Server server = settings == null ? null : settings.getServer(id);
    String parameter = "<signingKeyServer> / -Drebuild.signingKeyServer";
    if (server == null) {
      throw new MojoFailureException(
          "settings.xml has no <server> with id "
              + id
              + " [parameter: "
              + parameter
              + "]; add one whose <privateKey> is the path of a PEM private key, or whose"
              + " <password> holds the PEM text.");
    }
    Server plain;
    try {
      plain = SettingsCredentials.decrypted(decrypter, server);
    } catch (IllegalStateException e) {
      throw new MojoFailureException(e.getMessage() + " [parameter: " + parameter + "]");
    }
    if (plain.getPrivateKey() != null && !plain.getPrivateKey().isBlank()) {
      return fromFile(
          Path.of(plain.getPrivateKey().strip()),
          parameter + " (the <privateKey> of server " + id + ")");
    }
    if (plain.getPassword() != null && plain.getPassword().contains("-----BEGIN")) {
      return parse(plain.getPassword(), parameter + " (the <password> of server " + id + ")");
    }
    throw new MojoFailureException(
        "The settings.xml <server> "
            + id
            + " holds no signing key [parameter: "
            + parameter
            + "]; set its <privateKey> to the path of a PEM private key, or its <password> to the"
            + " PEM text.");
  }

  private static Signer fromFile(Path path, String parameter) throws MojoFailureException {
    String pem;
    try {
      if (Files.size(path) > 1 << 20) {
        throw new MojoFailureException(
            path + " is larger than a PEM private key can be [parameter: " + parameter + "]");
      }
      pem = Files.readString(path, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new MojoFailureException(
          "Cannot read the signing key "
              + path
              + ": "
              + e.getClass().getSimpleName()
              + " [parameter: "
              + parameter
              + "]; give the path of a PEM private key.");
    }
    return parse(pem, parameter + " (" + path + ")");
  }

  private static Signer parse(String pem, String where) throws MojoFailureException {
    try {
      return KeySigner.fromPem(pem);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException(
          "The signing key from " + where + " cannot be used: " + e.getMessage() + ".");
    }
  }
}
