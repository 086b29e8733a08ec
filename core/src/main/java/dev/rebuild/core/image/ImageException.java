package dev.rebuild.core.image;

/** An image could not be rebuilt or pushed; the message names the cause and the fix. */
public class ImageException extends Exception {

  /** Whether the user has to change the configuration or a registry, the network or I/O failed. */
  public enum Kind {
    /** The image configuration, an image's content or the credentials do not fit. */
    BAD_INPUT,
    /** A registry, the network or the file system failed. */
    TOOL
  }

  private final Kind kind;

  public ImageException(String message) {
    this(Kind.TOOL, message, null);
  }

  public ImageException(String message, Throwable cause) {
    this(Kind.TOOL, message, cause);
  }

  public ImageException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** The configuration (or what it points at) is wrong: unknown image, unmatched binary, ... */
  public static ImageException badInput(String message) {
    return new ImageException(Kind.BAD_INPUT, message, null);
  }

  public Kind kind() {
    return kind;
  }
}
