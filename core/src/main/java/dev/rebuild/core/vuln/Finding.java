package dev.rebuild.core.vuln;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One vulnerability of the Go vulnerability database that affects a module version a binary
 * carries.
 *
 * @param id the database id, e.g. {@code GO-2024-3105}
 * @param aliases CVE and GHSA ids, sorted
 * @param module {@code stdlib} for the standard library, else the module path
 * @param foundVersion the version found in the binary: {@code 1.21.13} for the standard library
 *     (semantic version form, as the database writes it), {@code v0.3.7} for a module
 * @param fixedVersion the earliest version that fixes it, in the same form as {@code foundVersion};
 *     null when no fixed version exists
 * @param summary the database's one-line summary
 */
public record Finding(
    String id,
    List<String> aliases,
    String module,
    String foundVersion,
    String fixedVersion,
    String summary)
    implements Comparable<Finding> {

  /** The pseudo-module the database files standard library vulnerabilities under. */
  public static final String STDLIB = "stdlib";

  private static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::id)
          .thenComparing(Finding::module)
          .thenComparing(Finding::foundVersion);

  public Finding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(foundVersion, "foundVersion");
    aliases = aliases == null ? List.of() : aliases.stream().sorted().distinct().toList();
    summary = summary == null ? "" : summary;
  }

  public boolean isStdlib() {
    return STDLIB.equals(module);
  }

  public boolean fixable() {
    return fixedVersion != null;
  }

  /**
   * What to upgrade to: the Go release for a standard library finding ({@code go1.22.7}, {@code
   * go1.24rc2}), the module version otherwise ({@code v0.3.8}); null when there is no fix.
   */
  public String fixedIn() {
    if (fixedVersion == null) {
      return null;
    }
    return isStdlib() ? GoSemver.toGoTag(fixedVersion) : fixedVersion;
  }

  @Override
  public int compareTo(Finding o) {
    return ORDER.compare(this, o);
  }
}
