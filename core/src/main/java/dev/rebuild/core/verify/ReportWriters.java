package dev.rebuild.core.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.buildinfo.Setting;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.vuln.Finding;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Writes a {@link VerifyReport} as JSON (for tools), Markdown (for people, e.g. a release page or a
 * pull request) and JUnit XML (for CI: Jenkins' {@code junit} step shows one test per binary and
 * check). Same report, same bytes: keys and entries are sorted and nothing records the time.
 */
public final class ReportWriters {

  /** The JSON report's file name. */
  public static final String JSON_FILE = "verify-report.json";

  /** The Markdown summary's file name. */
  public static final String MARKDOWN_FILE = "verify-report.md";

  /** The JUnit XML report's file name. */
  public static final String JUNIT_FILE = "verify-junit.xml";

  /** The JUnit test name of a skipped file. */
  public static final String BUILD_INFO_TEST = "build-info";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private ReportWriters() {}

  /**
   * Writes {@value #JSON_FILE}, {@value #MARKDOWN_FILE} and {@value #JUNIT_FILE} into {@code
   * directory} (created if needed). Each file appears complete or not at all.
   *
   * @return the written files, in that order
   */
  public static List<Path> writeAll(VerifyReport report, Path directory) throws IOException {
    return write(report, directory, true);
  }

  /**
   * Writes {@value #JSON_FILE} and {@value #JUNIT_FILE} only: for a caller that writes its own
   * Markdown report, so that there is one.
   */
  public static List<Path> writeMachineReadable(VerifyReport report, Path directory)
      throws IOException {
    return write(report, directory, false);
  }

  private static List<Path> write(VerifyReport report, Path directory, boolean markdown)
      throws IOException {
    Files.createDirectories(directory);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(JSON_FILE, json(report));
    if (markdown) {
      files.put(MARKDOWN_FILE, markdown(report).getBytes(StandardCharsets.UTF_8));
    }
    files.put(JUNIT_FILE, junitXml(report).getBytes(StandardCharsets.UTF_8));
    List<Path> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path target = directory.resolve(f.getKey());
      FileTrees.writeAtomically(target, f.getValue());
      out.add(target);
    }
    return out;
  }

  /**
   * The report as indented JSON with sorted keys: {@code passed}, {@code failOn}, {@code database},
   * {@code summary}, {@code binaries} (each with {@code path}, {@code size}, {@code goVersion},
   * {@code goos}, {@code goarch}, {@code mainPath}, {@code module}, {@code deps}, {@code settings},
   * {@code scan}, {@code vulnerabilities}, {@code checks}, {@code passed}; when the binaries were
   * compared with an original build also {@code original} (its {@code path}, {@code goVersion} and
   * {@code notComparable}, null when no original matched) and {@code differences} (each {@code
   * field}, {@code original}, {@code rebuilt}, {@code kind}, {@code reason})) and {@code skipped}.
   */
  public static byte[] json(VerifyReport report) {
    Map<String, Object> root = new TreeMap<>();
    root.put("passed", report.passed());
    root.put("failOn", report.failOn().name().toLowerCase(Locale.ROOT));
    root.put("database", report.database());
    Map<String, Object> summary = new TreeMap<>();
    summary.put("binaries", report.binaries().size());
    summary.put("failedBinaries", report.failed().size());
    summary.put("skipped", report.skipped().size());
    summary.put("vulnerabilities", report.vulnerabilityCount());
    root.put("summary", summary);
    root.put(
        "binaries",
        report.binaries().stream().map(b -> binaryJson(b, report.original(b))).toList());
    root.put(
        "skipped",
        report.skipped().stream()
            .map(
                s -> {
                  Map<String, Object> m = new TreeMap<>();
                  m.put("path", s.path());
                  m.put("size", s.size());
                  m.put("reason", s.reason());
                  m.put("corrupt", s.corrupt());
                  return m;
                })
            .toList());
    try {
      byte[] body = MAPPER.writeValueAsBytes(root);
      byte[] out = new byte[body.length + 1];
      System.arraycopy(body, 0, out, 0, body.length);
      out[body.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> binaryJson(VerifiedBinary b, VerifyReport.OriginalMatch o) {
    Map<String, Object> m = new TreeMap<>();
    if (o != null) {
      // Only when an original build was given, so that other reports keep their shape.
      Map<String, Object> om = null;
      if (o.matched()) {
        om = new TreeMap<>();
        om.put("path", o.path());
        om.put("goVersion", o.goVersion());
        om.put("notComparable", o.comparison().notComparable());
      }
      m.put("original", om);
      m.put(
          "differences",
          o.matched()
              ? o.comparison().differences().stream().map(ReportWriters::differenceJson).toList()
              : List.of());
    }
    m.put("path", b.path());
    m.put("size", b.size());
    m.put("goVersion", b.goVersion());
    m.put("goos", b.goos());
    m.put("goarch", b.goarch());
    m.put("mainPath", b.mainPath());
    m.put("module", moduleJson(b.module()));
    m.put("deps", b.buildInfo().deps().stream().map(ReportWriters::moduleJson).toList());
    m.put("settings", b.buildInfo().settings().stream().map(ReportWriters::settingJson).toList());
    Map<String, Object> scan = new TreeMap<>();
    scan.put("status", b.scan().status().name());
    scan.put("stdlibVersion", b.scan().stdlibVersion());
    m.put("scan", scan);
    m.put("vulnerabilities", b.vulnerabilities().stream().map(ReportWriters::findingJson).toList());
    m.put(
        "checks",
        b.checks().stream()
            .map(
                c -> {
                  Map<String, Object> cm = new TreeMap<>();
                  cm.put("name", c.name());
                  cm.put("passed", c.passed());
                  cm.put("message", c.message());
                  return cm;
                })
            .toList());
    m.put("passed", b.passed());
    return m;
  }

  private static Map<String, Object> differenceJson(BuildComparison.Difference d) {
    Map<String, Object> m = new TreeMap<>();
    m.put("field", d.field());
    m.put("original", d.original());
    m.put("rebuilt", d.rebuilt());
    m.put("kind", d.kind().name());
    m.put("reason", d.reason());
    return m;
  }

  private static Map<String, Object> moduleJson(Module module) {
    if (module == null) {
      return null;
    }
    Map<String, Object> m = new TreeMap<>();
    m.put("path", module.path());
    m.put("version", module.version());
    m.put("sum", module.sum());
    m.put("replacement", moduleJson(module.replacement()));
    return m;
  }

  private static Map<String, Object> settingJson(Setting s) {
    Map<String, Object> m = new TreeMap<>();
    m.put("key", s.key());
    m.put("value", s.value());
    return m;
  }

  /** A finding as the JSON reports write it, keys sorted. */
  public static Map<String, Object> findingJson(Finding f) {
    Map<String, Object> m = new TreeMap<>();
    m.put("id", f.id());
    m.put("aliases", f.aliases());
    m.put("module", f.module());
    m.put("foundVersion", f.foundVersion());
    m.put("fixedVersion", f.fixedVersion());
    m.put("fixedIn", f.fixedIn());
    m.put("summary", f.summary());
    return m;
  }

  /**
   * A Markdown summary: the verdict, a table of the binaries (Go, platform, main package, number of
   * vulnerabilities, checks), per binary its failed checks and its findings with the versions that
   * fix them, and the skipped files.
   */
  public static String markdown(VerifyReport report) {
    StringBuilder md = new StringBuilder("# Rebuild verification\n\n");
    md.append(report.passed() ? "**PASSED**" : "**FAILED**")
        .append(": ")
        .append(count(report.binaries().size(), "Go binary", "Go binaries"))
        .append(" verified, ")
        .append(report.failed().size())
        .append(" failed; ")
        .append(count(report.vulnerabilityCount(), "vulnerability", "vulnerabilities"))
        .append("; ")
        .append(count(report.skipped().size(), "file", "files"))
        .append(" skipped. Gate `failOn=")
        .append(report.failOn().name().toLowerCase(Locale.ROOT))
        .append("`, database ")
        .append(code(report.database()))
        .append(".\n\n");
    if (!report.binaries().isEmpty()) {
      md.append("| Binary | Go | Platform | Main package | Vulnerabilities | Result |\n");
      md.append("|---|---|---|---|---:|---|\n");
      for (VerifiedBinary b : report.binaries()) {
        md.append("| ")
            .append(code(b.path()))
            .append(" | ")
            .append(cell(b.goVersion()))
            .append(" | ")
            .append(cell(platform(b)))
            .append(" | ")
            .append(b.mainPath().isEmpty() ? "" : code(b.mainPath()))
            .append(" | ")
            .append(b.vulnerabilities().size())
            .append(" | ")
            .append(
                b.passed()
                    ? "passed"
                    : "failed: "
                        + b.failedChecks().stream()
                            .map(Check::name)
                            .collect(Collectors.joining(", ")))
            .append(" |\n");
      }
      md.append('\n');
    }
    for (VerifiedBinary b : report.binaries()) {
      if (b.passed() && b.vulnerabilities().isEmpty()) {
        continue;
      }
      md.append("## ").append(code(b.path())).append("\n\n");
      for (Check c : b.failedChecks()) {
        md.append("- check **").append(c.name()).append("** failed: ").append(line(c.message()));
        md.append('\n');
      }
      if (!b.failedChecks().isEmpty()) {
        md.append('\n');
      }
      for (Finding f : b.vulnerabilities()) {
        md.append("- **").append(f.id()).append("**");
        if (!f.aliases().isEmpty()) {
          md.append(" (").append(String.join(", ", f.aliases())).append(")");
        }
        md.append(" in ").append(code(f.module())).append(' ').append(f.foundVersion());
        md.append(f.fixable() ? ", fixed in " + f.fixedIn() : ", no fixed version");
        if (!f.summary().isEmpty()) {
          md.append(": ").append(line(f.summary()));
        }
        md.append('\n');
      }
      String go = b.stdlibFixedIn();
      if (go != null) {
        md.append("\nRebuilding with ")
            .append(go)
            .append(" or later fixes every standard library finding.\n");
      }
      md.append('\n');
    }
    if (!report.skipped().isEmpty()) {
      md.append("## Skipped files\n\n| File | Reason |\n|---|---|\n");
      for (SkippedFile s : report.skipped()) {
        md.append("| ")
            .append(code(s.path()))
            .append(" | ")
            .append(s.corrupt() ? "**corrupt**: " : "")
            .append(cell(s.reason()))
            .append(" |\n");
      }
      md.append('\n');
    }
    return md.toString();
  }

  /**
   * JUnit XML as Jenkins' {@code junit} step and other CI read it: {@code <testsuites>} holding one
   * {@code <testsuite name="rebuild.verify">} with {@code tests}, {@code failures}, {@code errors}
   * and {@code skipped} counts; one {@code <testcase classname="<binary path>" name="<check>">} per
   * binary and check, failing with the check's message (for the vulnerability gate, one line per
   * finding); one {@code <testcase name="build-info">} with {@code <skipped>} per skipped file.
   */
  public static String junitXml(VerifyReport report) {
    int tests = report.skipped().size();
    int failures = 0;
    for (VerifiedBinary b : report.binaries()) {
      tests += b.checks().size();
      failures += b.failedChecks().size();
    }
    StringWriter out = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      counts(x, "rebuild.verify", tests, failures, report.skipped().size());
      x.writeCharacters("\n  ");
      x.writeStartElement("testsuite");
      counts(x, "rebuild.verify", tests, failures, report.skipped().size());
      for (VerifiedBinary b : report.binaries()) {
        for (Check c : b.checks()) {
          testcase(x, b.path(), c.name());
          String detail = detail(b, c);
          if (c.passed()) {
            x.writeCharacters("\n      ");
            x.writeStartElement("system-out");
            x.writeCharacters(xml(detail));
            x.writeEndElement();
          } else {
            x.writeCharacters("\n      ");
            x.writeStartElement("failure");
            x.writeAttribute("type", c.name());
            // Attribute values lose their line breaks to XML normalisation; the body keeps them.
            x.writeAttribute("message", xml(line(c.message())));
            x.writeCharacters(xml(detail));
            x.writeEndElement();
          }
          x.writeCharacters("\n    ");
          x.writeEndElement();
        }
      }
      for (SkippedFile s : report.skipped()) {
        testcase(x, s.path(), BUILD_INFO_TEST);
        x.writeCharacters("\n      ");
        x.writeEmptyElement("skipped");
        x.writeAttribute(
            "message", xml(line((s.corrupt() ? "corrupt: " : "not a Go binary: ") + s.reason())));
        x.writeCharacters("\n    ");
        x.writeEndElement();
      }
      x.writeCharacters("\n  ");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write JUnit XML", e);
    }
    return out.toString();
  }

  private static void counts(XMLStreamWriter x, String name, int tests, int failures, int skipped)
      throws XMLStreamException {
    x.writeAttribute("name", name);
    x.writeAttribute("tests", Integer.toString(tests));
    x.writeAttribute("failures", Integer.toString(failures));
    x.writeAttribute("errors", "0");
    x.writeAttribute("skipped", Integer.toString(skipped));
    x.writeAttribute("time", "0");
  }

  private static void testcase(XMLStreamWriter x, String classname, String name)
      throws XMLStreamException {
    x.writeCharacters("\n    ");
    x.writeStartElement("testcase");
    x.writeAttribute("classname", xml(classname));
    x.writeAttribute("name", xml(name));
    x.writeAttribute("time", "0");
  }

  /** The check's message, and for the vulnerability gate one line per finding. */
  private static String detail(VerifiedBinary b, Check c) {
    StringBuilder d = new StringBuilder(c.message()).append('\n');
    if (c.name().equals(Check.VULNERABILITIES)) {
      d.append(b.goVersion()).append(' ').append(platform(b)).append('\n');
      for (Finding f : b.vulnerabilities()) {
        d.append(f.id())
            .append(f.aliases().isEmpty() ? "" : " (" + String.join(", ", f.aliases()) + ")")
            .append(' ')
            .append(f.module())
            .append(' ')
            .append(f.foundVersion())
            .append(f.fixable() ? ", fixed in " + f.fixedIn() : ", no fixed version")
            .append(f.summary().isEmpty() ? "" : ": " + f.summary())
            .append('\n');
      }
    }
    return d.toString();
  }

  static String platform(VerifiedBinary b) {
    return (b.goos().isEmpty() ? "?" : b.goos()) + "/" + (b.goarch().isEmpty() ? "?" : b.goarch());
  }

  /** Drops characters XML 1.0 cannot carry (control characters from a damaged file name). */
  private static String xml(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              boolean ok =
                  c == 0x9
                      || c == 0xA
                      || c == 0xD
                      || (c >= 0x20 && c <= 0xD7FF)
                      || (c >= 0xE000 && c <= 0xFFFD)
                      || c >= 0x10000;
              out.appendCodePoint(ok ? c : '?');
            });
    return out.toString();
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String code(String s) {
    return "`" + cell(s).replace('`', '\'') + "`";
  }

  private static String cell(String s) {
    return line(s).replace("|", "\\|");
  }

  private static String line(String s) {
    return s.replaceAll("[\\r\\n]+", " ").strip();
  }
}
