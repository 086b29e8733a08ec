package dev.rebuild.maven;

import dev.rebuild.core.image.CredentialSource;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Registry credentials from the {@code settings.xml} {@code <server>} whose id is the registry host
 * ({@code host[:port]}), and tokens from a server's password alone, decrypted the way Maven
 * decrypts them. Decrypted only when asked, and never logged.
 */
final class SettingsCredentials implements CredentialSource {

  private final Settings settings;
  private final SettingsDecrypter decrypter;

  SettingsCredentials(Settings settings, SettingsDecrypter decrypter) {
    this.settings = settings;
    this.decrypter = decrypter;
  }

  @Override
  public Optional<Credential> forRegistry(String registry) {
    if (settings == null) {
      return Optional.empty();
    }
    Server server = settings.getServer(registry);
    if (server == null || server.getUsername() == null) {
      return Optional.empty();
    }
    Server plain = decrypted(decrypter, server);
    String password = plain.getPassword() == null ? "" : plain.getPassword();
    return Optional.of(new Credential(plain.getUsername(), password));
  }

  /**
   * The decrypted {@code <password>} of the server {@code id} (a token needs no user name), or
   * empty when there is no such server or it has no password.
   */
  Optional<String> password(String id) {
    if (settings == null) {
      return Optional.empty();
    }
    Server server = settings.getServer(id);
    if (server == null || server.getPassword() == null) {
      return Optional.empty();
    }
    String password = decrypted(decrypter, server).getPassword();
    return password == null || password.isEmpty() ? Optional.empty() : Optional.of(password);
  }

  /**
   * The server with its password (and passphrase) decrypted as Maven decrypts them.
   *
   * @throws IllegalStateException naming the server when settings-security.xml does not fit
   */
  static Server decrypted(SettingsDecrypter decrypter, Server server) {
    SettingsDecryptionResult result =
        decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
    for (SettingsProblem p : result.getProblems()) {
      if (p.getSeverity() != SettingsProblem.Severity.WARNING) {
        throw new IllegalStateException(
            "the password of the settings.xml <server> "
                + server.getId()
                + " cannot be decrypted: "
                + p.getMessage()
                + "; check settings-security.xml");
      }
    }
    return result.getServer();
  }
}
