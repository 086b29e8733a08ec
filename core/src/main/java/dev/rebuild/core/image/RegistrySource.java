package dev.rebuild.core.image;

import dev.rebuild.core.image.RegistryClient.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** An image in a registry; blobs are downloaded into a cache directory. */
final class RegistrySource implements ImageSource {
  private final RegistryClient client;
  private final ImageReference ref;
  private final Path cache;

  RegistrySource(RegistryClient client, ImageReference ref, Path cache) {
    this.client = client;
    this.ref = ref;
    this.cache = cache;
  }

  @Override
  public Manifest root() throws ImageException {
    return client
        .getManifest(ref.registry(), ref.repository(), ref.reference())
        .orElseThrow(
            () ->
                ImageException.badInput(
                    "original image "
                        + ref
                        + " not found: check the image name and tag (the image setting of the"
                        + " release)"));
  }

  @Override
  public Manifest manifest(String digest) throws ImageException {
    return client
        .getManifest(ref.registry(), ref.repository(), digest)
        .orElseThrow(
            () ->
                new ImageException(
                    "manifest " + digest + " listed by " + ref + " is missing from the registry"));
  }

  @Override
  public Path blob(String digest) throws ImageException {
    Path file = cache.resolve(digest.replace(':', '-'));
    if (!Files.isRegularFile(file)) {
      client.getBlob(ref.registry(), ref.repository(), digest, file);
    }
    return file;
  }

  @Override
  public Optional<ImageReference> registryReference() {
    return Optional.of(ref);
  }

  @Override
  public String describe() {
    return ref.toString();
  }
}
