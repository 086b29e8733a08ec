package dev.rebuild.core.stage;

import dev.rebuild.core.release.Verification;
import dev.rebuild.core.release.Verification.BinaryReport;
import dev.rebuild.core.release.Verification.Vulnerabilities;
import dev.rebuild.core.verify.BuildComparison.Difference;
import dev.rebuild.core.verify.BuildComparison.Kind;
import dev.rebuild.core.vuln.Finding;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code verification-report.md}: what a release manager reads first. A release of nine commands on
 * six platforms has 54 binaries that mostly share their findings, so the report is grouped:
 * vulnerabilities fixed, still present and new (each once, with the number of binaries), the
 * differences from the original by kind, and only then the per-binary table.
 */
final class VerificationReport {

  private static final int MAX_VALUE = 60;

  private VerificationReport() {}

  static String markdown(
      String tag,
      String go,
      String commit,
      Verification v,
      List<String> failures,
      List<String> vulnerable,
      Map<String, Finding> findings) {
    StringBuilder md = new StringBuilder();
    md.append("# Verification of ").append(tag).append(" rebuilt with ").append(go).append("\n\n");
    md.append("Commit `")
        .append(commit)
        .append("`; original: ")
        .append(v.original() == null ? "not compared" : "`" + v.original() + "`")
        .append("; vulnerability database: `")
        .append(v.vulndb())
        .append("`; failOn: ")
        .append(v.failOn())
        .append(".\n\n");
    long failed =
        v.binaries().stream().filter(b -> b.checks().stream().anyMatch(c -> !c.passed())).count();
    md.append(v.binaries().size())
        .append(v.binaries().size() == 1 ? " binary, " : " binaries, ")
        .append(failed == 0 ? "every check passed" : failed + " with failed checks")
        .append(".\n");

    vulnerabilityTable(
        md, "Vulnerabilities fixed by the rebuild", v, Vulnerabilities::fixedByRebuild, findings);
    vulnerabilityTable(
        md,
        "Vulnerabilities still present",
        v,
        vs -> vs.stillPresent().stream().map(Vulnerabilities.Still::id).toList(),
        findings);
    vulnerabilityTable(
        md, "Vulnerabilities new in the rebuild", v, Vulnerabilities::newlyIntroduced, findings);

    differenceTables(md, v);

    md.append("\n## Binaries\n\n");
    md.append(
        "| binary | Go | checks | original Go | fixed by rebuild | still present | new |\n"
            + "|---|---|---|---|---|---|---|\n");
    for (BinaryReport b : v.binaries()) {
      long bad = b.checks().stream().filter(c -> !c.passed()).count();
      Vulnerabilities vs = b.vulnerabilities();
      md.append("| `")
          .append(b.path())
          .append("` | ")
          .append(b.goVersion())
          .append(" | ")
          .append(bad == 0 ? "all " + b.checks().size() + " passed" : bad + " FAILED")
          .append(" | ")
          .append(b.originalGo() == null ? "-" : b.originalGo())
          .append(" | ")
          .append(vs == null ? "-" : vs.fixedByRebuild().size())
          .append(" | ")
          .append(vs == null ? "-" : vs.stillPresent().size())
          .append(" | ")
          .append(vs == null ? "-" : vs.newlyIntroduced().size())
          .append(" |\n");
    }
    if (!failures.isEmpty()) {
      md.append("\n## Failed checks, per binary\n\n");
      failures.forEach(d -> md.append("- ").append(d).append('\n'));
    }
    if (!vulnerable.isEmpty()) {
      md.append("\n## Vulnerabilities that fail the gate\n\n");
      vulnerable.forEach(d -> md.append("- ").append(d).append('\n'));
    }
    return md.toString();
  }

  /**
   * The totals as a small table for the release log: binaries, checks passed, and the distinct
   * vulnerabilities the rebuild fixed, still has, and brought in.
   */
  static List<String> summary(Verification v) {
    long checks = v.binaries().stream().mapToLong(b -> b.checks().size()).sum();
    long passed =
        v.binaries().stream()
            .flatMap(b -> b.checks().stream())
            .filter(Verification.Check::passed)
            .count();
    String fixed = distinct(v, Vulnerabilities::fixedByRebuild);
    String still =
        distinct(v, vs -> vs.stillPresent().stream().map(Vulnerabilities.Still::id).toList());
    String added = distinct(v, Vulnerabilities::newlyIntroduced);
    String format = "%-9s %-14s %-17s %-14s %s";
    return List.of(
        String.format(
            Locale.ROOT,
            format,
            "binaries",
            "checks passed",
            "fixed by rebuild",
            "still present",
            "new"),
        String.format(
            Locale.ROOT, format, v.binaries().size(), passed + "/" + checks, fixed, still, added));
  }

  private static String distinct(Verification v, Function<Vulnerabilities, List<String>> ids) {
    boolean scanned = v.binaries().stream().anyMatch(b -> b.vulnerabilities() != null);
    if (!scanned) {
      return "not scanned";
    }
    return Long.toString(
        v.binaries().stream()
            .filter(b -> b.vulnerabilities() != null)
            .flatMap(b -> ids.apply(b.vulnerabilities()).stream())
            .distinct()
            .count());
  }

  private static void vulnerabilityTable(
      StringBuilder md,
      String title,
      Verification v,
      Function<Vulnerabilities, List<String>> ids,
      Map<String, Finding> findings) {
    Map<String, Integer> count = new TreeMap<>();
    for (BinaryReport b : v.binaries()) {
      if (b.vulnerabilities() != null) {
        ids.apply(b.vulnerabilities()).stream()
            .distinct()
            .forEach(id -> count.merge(id, 1, Integer::sum));
      }
    }
    if (count.isEmpty()) {
      return;
    }
    md.append("\n## ").append(title).append(" (").append(count.size()).append(")\n\n");
    md.append("| id | module | fixed in | binaries | summary |\n|---|---|---|---|---|\n");
    count.forEach(
        (id, n) -> {
          Finding f = findings.get(id);
          md.append("| ")
              .append(id)
              .append(" | ")
              .append(f == null ? "?" : f.module())
              .append(" | ")
              .append(f == null || f.fixedIn() == null ? "no fix" : f.fixedIn())
              .append(" | ")
              .append(n)
              .append(" | ")
              .append(f == null ? "" : cell(f.summary()))
              .append(" |\n");
        });
  }

  private static final Comparator<Difference> ROW_ORDER =
      Comparator.comparing(Difference::field)
          .thenComparing(d -> String.valueOf(d.original()))
          .thenComparing(d -> String.valueOf(d.rebuilt()))
          .thenComparing(d -> String.valueOf(d.reason()));

  private static void differenceTables(StringBuilder md, Verification v) {
    // Equal differences of several binaries are one row, with how many binaries have it.
    Map<Kind, Map<Difference, Integer>> groups = new EnumMap<>(Kind.class);
    Map<String, Integer> notComparable = new TreeMap<>();
    for (BinaryReport b : v.binaries()) {
      for (Difference d : b.differences()) {
        groups.computeIfAbsent(d.kind(), k -> new TreeMap<>(ROW_ORDER)).merge(d, 1, Integer::sum);
      }
      if (b.notComparable() != null) {
        notComparable.merge(b.notComparable(), 1, Integer::sum);
      }
    }
    if (groups.isEmpty() && notComparable.isEmpty()) {
      if (v.original() != null) {
        md.append("\n## Differences from the original\n\nNone but the Go version.\n");
      }
      return;
    }
    md.append("\n## Differences from the original\n");
    groups.forEach(
        (kind, rows) -> {
          md.append("\n### ").append(title(kind)).append("\n\n");
          md.append("| field | original | rebuild | binaries | why |\n|---|---|---|---|---|\n");
          rows.forEach(
              (d, n) ->
                  md.append("| ")
                      .append(d.field())
                      .append(" | ")
                      .append(value(d.original()))
                      .append(" | ")
                      .append(value(d.rebuilt()))
                      .append(" | ")
                      .append(n)
                      .append(" | ")
                      .append(d.reason() == null ? "" : cell(d.reason()))
                      .append(" |\n"));
        });
    if (!notComparable.isEmpty()) {
      md.append("\n### Not comparable\n\n");
      notComparable.forEach(
          (why, n) ->
              md.append("- ")
                  .append(n)
                  .append(n == 1 ? " binary: " : " binaries: ")
                  .append(why)
                  .append('\n'));
    }
  }

  private static String title(Kind kind) {
    return switch (kind) {
      case FAILURE -> "Failures: the recipe or the source differs";
      case EXPECTED -> "Expected with the new Go (not failures)";
      case UNKNOWN -> "Not recorded by the original (not failures)";
    };
  }

  private static String value(String v) {
    if (v == null) {
      return "absent";
    }
    String shown = v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) + "…" : v;
    return "`" + cell(shown) + "`";
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
