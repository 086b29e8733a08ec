package dev.rebuild.core.image;

import dev.rebuild.core.image.RegistryClient.Manifest;
import java.nio.file.Path;
import java.util.Optional;

/** Where an original (or base) image is read from. */
interface ImageSource extends AutoCloseable {

  /** The top-level manifest or index. */
  Manifest root() throws ImageException;

  /** A manifest named by digest in the root index. */
  Manifest manifest(String digest) throws ImageException;

  /** A local file holding the blob, checked against its digest. */
  Path blob(String digest) throws ImageException;

  /** The registry repository, when the source is one: blobs can then be mounted from it. */
  Optional<ImageReference> registryReference();

  String describe();

  @Override
  default void close() {}
}
