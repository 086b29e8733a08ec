package dev.rebuild.core.vuln;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of scanning one binary.
 *
 * @param name the {@link ScanTarget#name()}
 * @param status whether the standard library could be judged
 * @param stdlibVersion the standard library version checked ({@code 1.21.13}); null when {@link
 *     ScanStatus#STDLIB_UNKNOWN}
 * @param findings sorted by id, then module
 */
public record ScanResult(
    String name, ScanStatus status, String stdlibVersion, List<Finding> findings) {

  public ScanResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    findings = findings.stream().sorted().toList();
  }

  /** The distinct vulnerability ids, sorted. */
  public List<String> ids() {
    return findings.stream().map(Finding::id).distinct().sorted().toList();
  }
}
