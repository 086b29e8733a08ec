package dev.rebuild.core.vuln;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The parts of an OSV entry of the Go vulnerability database that a module-level scan uses.
 *
 * @param id e.g. {@code GO-2024-3105}
 * @param modified as the entry writes it
 * @param withdrawn when the entry was withdrawn; null when it stands
 * @param aliases CVE and GHSA ids
 * @param summary one line
 * @param affected one block per affected module (a module may have several)
 */
public record OsvEntry(
    String id,
    String modified,
    Instant withdrawn,
    List<String> aliases,
    String summary,
    List<Affected> affected) {

  public OsvEntry {
    Objects.requireNonNull(id, "id");
    aliases = List.copyOf(aliases);
    affected = List.copyOf(affected);
    summary = summary == null ? "" : summary;
  }

  /**
   * One {@code affected} block.
   *
   * @param module {@code package.name}: a module path, {@code stdlib} or {@code toolchain}
   * @param ranges the version ranges
   * @param packages {@code ecosystem_specific.imports}: the affected packages, with optional
   *     GOOS/GOARCH restrictions
   */
  public record Affected(String module, List<Range> ranges, List<ImportedPackage> packages) {
    public Affected {
      Objects.requireNonNull(module, "module");
      ranges = List.copyOf(ranges);
      packages = List.copyOf(packages);
    }
  }

  /** A range of type {@code SEMVER} (or another OSV type, which a Go scan does not evaluate). */
  public record Range(String type, List<Event> events) {
    public static final String SEMVER = "SEMVER";

    public Range {
      Objects.requireNonNull(type, "type");
      events = List.copyOf(events);
    }
  }

  /**
   * An {@code introduced} or {@code fixed} event; the other field is empty. Other event kinds
   * ({@code last_affected}, {@code limit}) have both fields empty and are ignored, as govulncheck
   * ignores them.
   */
  public record Event(String introduced, String fixed) {
    public Event {
      introduced = introduced == null ? "" : introduced;
      fixed = fixed == null ? "" : fixed;
    }
  }

  /** An affected package; empty {@code goos}/{@code goarch} lists mean every platform. */
  public record ImportedPackage(
      String path, List<String> goos, List<String> goarch, List<String> symbols) {
    public ImportedPackage {
      Objects.requireNonNull(path, "path");
      goos = List.copyOf(goos);
      goarch = List.copyOf(goarch);
      symbols = List.copyOf(symbols);
    }

    /** govulncheck's rule: an empty target value or an empty list matches. */
    boolean matches(String targetOs, String targetArch) {
      return component(targetOs, goos) && component(targetArch, goarch);
    }

    private static boolean component(String value, List<String> allowed) {
      return value.isEmpty() || allowed.isEmpty() || allowed.contains(value);
    }
  }
}
