package dev.rebuild.core.buildinfo;

import java.util.Objects;

/** What reading one file for Go build information found. */
public sealed interface ReadResult {

  /** A Go executable and its build information. */
  record GoBinary(BuildInfo info) implements ReadResult {
    public GoBinary {
      Objects.requireNonNull(info, "info");
    }
  }

  /**
   * Not a Go executable: not an executable at all, or one without Go build information. Expected
   * for READMEs, licences and C programs in a release.
   */
  record NotGo(String reason) implements ReadResult {
    public NotGo {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * An executable (or archive member) whose structure or Go build information is damaged, or that
   * cannot be read safely (e.g. an archive member whose name escapes the archive).
   */
  record Corrupt(String reason) implements ReadResult {
    public Corrupt {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
