package dev.rebuild.core.image;

import java.util.Set;

/** Makes the registry client for one rebuild; the seam for other transports. */
@FunctionalInterface
public interface RegistryClientFactory {

  RegistryClientFactory DEFAULT = RegistryClient::new;

  RegistryClient open(CredentialSource credentials, Set<String> insecureRegistries);
}
