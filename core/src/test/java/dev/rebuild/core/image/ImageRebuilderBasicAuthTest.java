package dev.rebuild.core.image;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RegistryAuthChecks} against htpasswd (bcrypt) basic auth. */
class ImageRebuilderBasicAuthTest extends RegistryAuthChecks {
  @RegisterExtension
  static final TestRegistry REGISTRY = TestRegistry.withBasicAuth(USER, PASSWORD);

  @Override
  TestRegistry registry() {
    return REGISTRY;
  }
}
