package dev.rebuild.core.image;

import java.util.Objects;
import java.util.Optional;

/** Registry credentials by registry host ({@code host[:port]}). */
@FunctionalInterface
public interface CredentialSource {

  CredentialSource NONE = registry -> Optional.empty();

  Optional<Credential> forRegistry(String registry);

  /** Asks this source first, then {@code next}. */
  default CredentialSource orElse(CredentialSource next) {
    return registry -> {
      Optional<Credential> mine = forRegistry(registry);
      return mine.isPresent() ? mine : next.forRegistry(registry);
    };
  }

  /** A user name and password (or token). Its string form never shows the password. */
  record Credential(String username, String password) {
    public Credential {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Credential[username=" + username + ", password=****]";
    }
  }
}
