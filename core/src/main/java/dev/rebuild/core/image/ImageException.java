package dev.rebuild.core.image;

/** An image could not be rebuilt or pushed; the message names the cause and the fix. */
public class ImageException extends Exception {
  public ImageException(String message) {
    super(message);
  }

  public ImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
