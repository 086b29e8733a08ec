package dev.rebuild.core.check;

import java.util.List;
import java.util.Objects;

/**
 * What one {@code rebuild:check} run found.
 *
 * @param policy how the Go was chosen
 * @param labelTemplate the label template in effect
 * @param database the vulnerability database read, credentials redacted
 * @param supportedLines the supported Go minors, newest first ({@code 1.26}, {@code 1.25})
 * @param results one per release, in the order given
 */
public record CheckReport(
    GoPolicy policy,
    String labelTemplate,
    String database,
    List<String> supportedLines,
    List<CheckResult> results) {

  public CheckReport {
    Objects.requireNonNull(policy, "policy");
    supportedLines = List.copyOf(supportedLines);
    results = List.copyOf(results);
  }

  /** The releases a rebuild is due for. */
  public List<CheckResult> due() {
    return results.stream().filter(CheckResult::due).toList();
  }

  /** The releases the check could not decide for. */
  public List<CheckResult> problems() {
    return results.stream().filter(r -> r.status().problem()).toList();
  }
}
