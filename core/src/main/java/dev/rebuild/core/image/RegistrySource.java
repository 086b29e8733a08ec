package dev.rebuild.core.image;

import dev.rebuild.core.image.RegistryClient.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An image in a registry; blobs are downloaded into a cache directory, each bounded by the size the
 * manifest that lists it gives.
 */
final class RegistrySource implements ImageSource {
  private final RegistryClient client;
  private final ImageReference ref;
  private final Path cache;

  /** Digest to size of what the manifests read so far list. */
  private final Map<String, Long> sizes = new HashMap<>();

  RegistrySource(RegistryClient client, ImageReference ref, Path cache) {
    this.client = client;
    this.ref = ref;
    this.cache = cache;
  }

  @Override
  public Manifest root() throws ImageException {
    Manifest m =
        client
            .getManifest(ref.registry(), ref.repository(), ref.reference())
            .orElseThrow(
                () ->
                    ImageException.badInput(
                        "original image "
                            + ref
                            + " not found: check the image name and tag (the image setting of"
                            + " the release)"));
    return learn(m);
  }

  @Override
  public Manifest manifest(String digest) throws ImageException {
    Manifest m =
        client
            .getManifest(ref.registry(), ref.repository(), digest)
            .orElseThrow(
                () ->
                    new ImageException(
                        "manifest "
                            + digest
                            + " listed by "
                            + ref
                            + " is missing from the registry"));
    return learn(m);
  }

  private Manifest learn(Manifest m) throws ImageException {
    sizes.putAll(RegistryClient.descriptors(m, "manifest " + m.digest() + " of " + ref));
    return m;
  }

  @Override
  public Path blob(String digest) throws ImageException {
    Path file = cache.resolve(digest.replace(':', '-'));
    if (!Files.isRegularFile(file)) {
      Long size = sizes.get(digest);
      if (size == null) {
        // Every blob read is listed by a manifest read before; without it no size bounds it.
        throw new ImageException(
            "blob " + digest + " of " + ref + " is listed by no manifest read from it");
      }
      client.getBlob(ref.registry(), ref.repository(), digest, size, file);
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
