package dev.rebuild.core;

import java.util.Objects;

/**
 * Why a rebuild stopped. The {@link Kind} tells a front end whether the user has to change
 * something ({@link Kind#BAD_INPUT}, {@link Kind#BUILD_FAILED}, {@link Kind#VERDICT}) or a tool or
 * the machine failed ({@link Kind#TOOL}); {@link #parameter()} names the configuration key at
 * fault, when there is one, so the front end can point at its own spelling of it.
 */
public class RebuildException extends Exception {

  /** What kind of failure this is. */
  public enum Kind {
    /** The configuration or the command line asks for something that cannot be. */
    BAD_INPUT,
    /** The Go build of one or more targets failed: the source does not compile as configured. */
    BUILD_FAILED,
    /** A check on the result failed (verification, vulnerability gate). */
    VERDICT,
    /** An external tool, the network or the file system failed. */
    TOOL
  }

  private final Kind kind;
  private final String parameter;

  public RebuildException(Kind kind, String parameter, String message) {
    this(kind, parameter, message, null);
  }

  public RebuildException(Kind kind, String parameter, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind);
    this.parameter = parameter;
  }

  public static RebuildException badInput(String parameter, String message) {
    return new RebuildException(Kind.BAD_INPUT, parameter, message);
  }

  public static RebuildException tool(String message, Throwable cause) {
    return new RebuildException(Kind.TOOL, null, message, cause);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The configuration key at fault ({@code tag}, {@code targets}, {@code archive.name}), or null.
   */
  public String parameter() {
    return parameter;
  }
}
