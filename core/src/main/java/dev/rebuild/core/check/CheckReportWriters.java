package dev.rebuild.core.check;

import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.verify.ReportWriters;
import dev.rebuild.core.vuln.Finding;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes a {@link CheckReport} for people and for Jenkins: {@value #JSON_FILE}, {@value
 * #MARKDOWN_FILE}, {@value #JUNIT_FILE} and {@value #PROPERTIES_FILE}. No times: the same findings
 * give the same bytes.
 */
public final class CheckReportWriters {

  public static final String JSON_FILE = "check-report.json";
  public static final String MARKDOWN_FILE = "check-report.md";
  public static final String JUNIT_FILE = "check-junit.xml";
  public static final String PROPERTIES_FILE = "check.properties";

  private CheckReportWriters() {}

  /**
   * Writes the four files into {@code directory}, each replaced atomically.
   *
   * @param prefixed whether {@value #PROPERTIES_FILE} keys carry the release name ({@code
   *     nsq.REBUILD_DUE}), as for a releases file
   */
  public static List<Path> writeAll(CheckReport report, Path directory, boolean prefixed)
      throws IOException {
    Files.createDirectories(directory);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(JSON_FILE, json(report));
    files.put(MARKDOWN_FILE, markdown(report).getBytes(StandardCharsets.UTF_8));
    files.put(JUNIT_FILE, junit(report).getBytes(StandardCharsets.UTF_8));
    files.put(PROPERTIES_FILE, properties(report, prefixed).getBytes(StandardCharsets.ISO_8859_1));
    List<Path> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path target = directory.resolve(f.getKey());
      FileTrees.writeAtomically(target, f.getValue());
      out.add(target);
    }
    return out;
  }

  /** Indented JSON with sorted keys. */
  public static byte[] json(CheckReport report) throws IOException {
    Map<String, Object> root = new TreeMap<>();
    root.put("goPolicy", report.policy().id());
    root.put("label", report.labelTemplate());
    root.put("database", report.database());
    root.put("supportedGo", report.supportedLines());
    root.put("due", report.due().stream().map(CheckResult::name).toList());
    List<Map<String, Object>> releases = new ArrayList<>();
    for (CheckResult r : report.results()) {
      Map<String, Object> m = new TreeMap<>();
      m.put("name", r.name());
      m.put("tag", r.tag());
      m.put("status", r.status().name().toLowerCase(Locale.ROOT));
      m.put("due", r.due());
      m.put("reason", r.reason());
      m.put("publishedGo", r.publishedGo());
      m.put("platforms", r.platforms());
      List<Map<String, Object>> builds = new ArrayList<>();
      for (CheckResult.PublishedBuild b : r.builds()) {
        Map<String, Object> bm = new TreeMap<>();
        bm.put("goVersion", b.goVersion());
        bm.put("rebuild", b.rebuild());
        bm.put("labels", b.labels());
        bm.put("binaries", b.binaries());
        builds.add(bm);
      }
      m.put("published", builds);
      m.put("fixableByRebuild", findings(r.rebuildFixable()));
      m.put("notFixedByAnyGo", findings(r.rebuildUnfixable()));
      m.put("needsProjectRelease", findings(r.needsProjectRelease()));
      m.put("chosenGo", r.chosenGo());
      m.put("rebuildLabel", r.label());
      m.put("command", r.command());
      releases.add(m);
    }
    root.put("releases", releases);
    byte[] json = ReleaseManifest.mapper().writeValueAsBytes(root);
    byte[] out = Arrays.copyOf(json, json.length + 1);
    out[json.length] = '\n';
    return out;
  }

  private static List<Map<String, Object>> findings(List<Finding> findings) {
    return findings.stream().map(ReportWriters::findingJson).toList();
  }

  /** A table of the releases, then per release the findings and the command. */
  public static String markdown(CheckReport report) {
    StringBuilder b = new StringBuilder("# Security rebuild check\n\n");
    b.append("Go policy `")
        .append(report.policy().id())
        .append("`, supported Go ")
        .append(String.join(", ", report.supportedLines()))
        .append(", label `")
        .append(report.labelTemplate())
        .append("`, database ")
        .append(report.database())
        .append(".\n\n");
    b.append("| release | tag | published Go | status | Go | label |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (CheckResult r : report.results()) {
      b.append("| ")
          .append(cell(r.name()))
          .append(" | ")
          .append(cell(r.tag()))
          .append(" | ")
          .append(r.publishedGo() == null ? "-" : r.publishedGo())
          .append(" | ")
          .append(r.due() ? "**due**" : r.status().name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(r.chosenGo() == null ? "-" : r.chosenGo())
          .append(" | ")
          .append(r.label() == null ? "-" : cell(r.label()))
          .append(" |\n");
    }
    for (CheckResult r : report.results()) {
      b.append("\n## ").append(r.name()).append(' ').append(r.tag()).append("\n\n");
      b.append(r.reason()).append("\n");
      if (r.command() != null) {
        b.append("\n    ").append(r.command()).append("\n");
      }
      section(b, "Fixed by a rebuild", r.rebuildFixable());
      section(b, "Not fixed by any Go release yet", r.rebuildUnfixable());
      section(b, "Needs a new project release (module dependencies)", r.needsProjectRelease());
    }
    return b.toString();
  }

  private static void section(StringBuilder b, String title, List<Finding> findings) {
    if (findings.isEmpty()) {
      return;
    }
    b.append("\n").append(title).append(":\n\n");
    for (Finding f : findings) {
      b.append("- ")
          .append(f.id())
          .append(' ')
          .append(f.module())
          .append(' ')
          .append(f.foundVersion())
          .append(f.fixable() ? ", fixed in " + f.fixedIn() : ", no fix yet")
          .append(f.summary().isEmpty() ? "" : ": " + cell(f.summary()))
          .append('\n');
    }
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  /** One test case per release; a due rebuild fails it, an undecidable release is an error. */
  public static String junit(CheckReport report) throws IOException {
    StringWriter w = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", "rebuild-check");
      x.writeAttribute("tests", Integer.toString(report.results().size()));
      x.writeAttribute("failures", Integer.toString(report.due().size()));
      x.writeAttribute("errors", Integer.toString(report.problems().size()));
      x.writeAttribute("skipped", "0");
      x.writeAttribute("time", "0");
      for (CheckResult r : report.results()) {
        x.writeCharacters("\n  ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "rebuild-check." + r.name());
        x.writeAttribute("name", r.tag());
        x.writeAttribute("time", "0");
        String detail =
            r.reason()
                + "\n"
                + (r.command() == null ? "" : r.command() + "\n")
                + r.rebuildFixable().stream()
                    .map(f -> f.id() + " stdlib " + f.foundVersion() + ", fixed in " + f.fixedIn())
                    .collect(Collectors.joining("\n"));
        if (r.due()) {
          x.writeStartElement("failure");
          x.writeAttribute(
              "message", "security rebuild due: " + r.label() + " with Go " + r.chosenGo());
          x.writeCharacters(detail);
          x.writeEndElement();
        } else if (r.status().problem()) {
          x.writeStartElement("error");
          x.writeAttribute(
              "message", r.status().name().toLowerCase(Locale.ROOT) + ": " + r.reason());
          x.writeCharacters(detail);
          x.writeEndElement();
        } else {
          x.writeStartElement("system-out");
          x.writeCharacters(detail);
          x.writeEndElement();
        }
        x.writeEndElement();
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write the JUnit report: " + e.getMessage(), e);
    }
    return w.toString();
  }

  /**
   * {@code REBUILD_DUE}, {@code REBUILD_GO}, {@code REBUILD_LABEL}, {@code REBUILD_TAG}, {@code
   * REBUILD_STATUS} per release (prefixed by its name and a dot when {@code prefixed}), and {@code
   * DUE_RELEASES}: the names of the due releases, comma-separated. Sorted, no date line.
   */
  public static String properties(CheckReport report, boolean prefixed) {
    Map<String, String> p = new TreeMap<>();
    for (CheckResult r : report.results()) {
      String k = prefixed ? r.name() + "." : "";
      p.put(k + "REBUILD_DUE", Boolean.toString(r.due()));
      p.put(k + "REBUILD_GO", r.chosenGo() == null ? "" : r.chosenGo());
      p.put(k + "REBUILD_LABEL", r.label() == null ? "" : r.label());
      p.put(k + "REBUILD_TAG", r.tag());
      p.put(k + "REBUILD_STATUS", r.status().name().toLowerCase(Locale.ROOT));
    }
    if (prefixed) {
      p.put("REBUILD_DUE", Boolean.toString(!report.due().isEmpty()));
    }
    p.put(
        "DUE_RELEASES",
        report.due().stream().map(CheckResult::name).collect(Collectors.joining(",")));
    StringBuilder b = new StringBuilder();
    p.forEach((k, v) -> b.append(escape(k)).append('=').append(escape(v)).append('\n'));
    return b.toString();
  }

  /** What {@link java.util.Properties#load} reads back as {@code s}. */
  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\\' || c == '=' || c == ':' || c == '#' || c == '!' || c == ' ') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
