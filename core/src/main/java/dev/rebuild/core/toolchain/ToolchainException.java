package dev.rebuild.core.toolchain;

/** The requested Go toolchain cannot be provided; the message names the cause and the fix. */
public final class ToolchainException extends Exception {

  private static final long serialVersionUID = 1L;

  public ToolchainException(String message) {
    super(message);
  }

  public ToolchainException(String message, Throwable cause) {
    super(message, cause);
  }
}
