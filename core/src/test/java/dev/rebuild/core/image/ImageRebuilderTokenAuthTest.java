package dev.rebuild.core.image;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RegistryAuthChecks} against Bearer token auth (realm from WWW-Authenticate). */
class ImageRebuilderTokenAuthTest extends RegistryAuthChecks {
  @RegisterExtension
  static final TestRegistry REGISTRY = TestRegistry.withTokenAuth(USER, PASSWORD);

  @Override
  TestRegistry registry() {
    return REGISTRY;
  }
}
