package dev.rebuild.core.image;

/** Progress of an image rebuild; the caller renders it. Never receives credentials. */
public interface ImageListener {

  /** What was written to the target. */
  enum Pushed {
    BLOB,
    MANIFEST,
    INDEX,
    TAG
  }

  ImageListener NONE = new ImageListener() {};

  default void progress(String message) {}

  /** Called after {@code what} was written; {@code id} is a digest, or the tag for a TAG. */
  default void pushed(Pushed what, String id) {}
}
