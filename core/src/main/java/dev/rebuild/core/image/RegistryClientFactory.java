package dev.rebuild.core.image;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

/** Makes the registry client for one rebuild; the seam for other transports. */
@FunctionalInterface
public interface RegistryClientFactory {

  RegistryClientFactory DEFAULT = RegistryClient::new;

  RegistryClient open(CredentialSource credentials, Set<String> insecureRegistries);

  /**
   * A client that tells {@code notices} when it waits because a registry asked it to ({@code
   * Retry-After}). The default implementation is the real client; other factories ignore it.
   */
  default RegistryClient open(
      CredentialSource credentials, Set<String> insecureRegistries, Consumer<String> notices) {
    if (this == DEFAULT) {
      return new RegistryClient(
          credentials,
          insecureRegistries,
          4,
          Duration.ofMillis(250),
          RegistryClient.DEFAULT_STALL_TIMEOUT,
          notices);
    }
    return open(credentials, insecureRegistries);
  }
}
