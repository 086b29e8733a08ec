package dev.rebuild.core.vuln;

import java.util.Objects;

/**
 * A module linked into a binary, as its build info names it. For a replaced module the caller
 * passes the replacement's path and version, since that is the code the binary carries.
 *
 * @param path module path, e.g. {@code golang.org/x/text}
 * @param version module version, e.g. {@code v0.3.7}; {@code (devel)} or empty when unknown
 */
public record ModuleRef(String path, String version) {

  public ModuleRef {
    Objects.requireNonNull(path, "path");
    if (path.isBlank()) {
      throw new IllegalArgumentException("a module needs a path");
    }
    version = version == null ? "" : version;
  }
}
