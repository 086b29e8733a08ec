package dev.rebuild.core.vuln;

import dev.rebuild.core.model.EnumNames;
import java.util.List;

/** Which remaining vulnerabilities make a scan fail. */
public enum FailOn {
  /** Never fail; report only. */
  NONE,
  /** Fail on any vulnerability. */
  ANY,
  /** Fail on a vulnerability that has a fixed version (the default): one a rebuild can remove. */
  FIXABLE;

  public static final FailOn DEFAULT = FIXABLE;

  /**
   * Parses {@code none}, {@code any}, {@code fixable} (any case); null or blank is {@link
   * #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static FailOn parse(String text) {
    return EnumNames.parse(FailOn.class, text, DEFAULT, "failOn value");
  }

  /** The findings that make the gate fail, sorted; empty when it passes. */
  public List<Finding> verdict(List<Finding> findings) {
    return findings.stream()
        .filter(
            f ->
                switch (this) {
                  case NONE -> false;
                  case ANY -> true;
                  case FIXABLE -> f.fixable();
                })
        .sorted()
        .toList();
  }

  /**
   * The gate applied to one scan: an unknown standard library fails every gate but {@link #NONE},
   * since nothing proves it clean.
   */
  public Verdict verdict(ScanResult result) {
    List<Finding> offending = verdict(result.findings());
    boolean unknown = this != NONE && result.status() == ScanStatus.STDLIB_UNKNOWN;
    return new Verdict(result.name(), offending, unknown);
  }

  /**
   * @param name the binary
   * @param offending findings that fail the gate
   * @param stdlibUnknown the standard library could not be checked and the gate is not NONE
   */
  public record Verdict(String name, List<Finding> offending, boolean stdlibUnknown) {
    public Verdict {
      offending = List.copyOf(offending);
    }

    public boolean failed() {
      return stdlibUnknown || !offending.isEmpty();
    }
  }
}
