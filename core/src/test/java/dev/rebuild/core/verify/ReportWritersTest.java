package dev.rebuild.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.vuln.FailOn;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The three report formats of a real verification, read back with independent parsers. */
class ReportWritersTest {

  private static final String HELLO = "dist/demo-linux-amd64.tar.gz!demo/bin/hello";

  private static VerifyFixtures fx;
  private static VulnerabilitySource db;
  private static VerifyReport report;

  @TempDir Path tmp;

  @BeforeAll
  static void verifyDist() throws RebuildException {
    fx = VerifyFixtures.get();
    db = VulnerabilitySources.open(VerifyFixtures.vulndb().toString());
    report = verify();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static VerifyReport verify() throws RebuildException {
    return new Verifier(db).verify(List.of(new VerifyInput("dist", fx.dist)), FailOn.FIXABLE);
  }

  @Test
  void jsonListsEveryBinaryWithItsBuildInformationAndVulnerabilities() throws Exception {
    JsonNode root = new ObjectMapper().readTree(ReportWriters.json(report));
    assertEquals(
        List.of("binaries", "database", "failOn", "passed", "skipped", "summary"), keys(root));
    assertEquals("fixable", root.path("failOn").asText());
    assertFalse(root.path("passed").asBoolean(true));
    assertEquals(2, root.path("summary").path("binaries").asInt());
    assertEquals(3, root.path("summary").path("skipped").asInt());
    assertEquals(12, root.path("summary").path("vulnerabilities").asInt());

    JsonNode hello = root.path("binaries").path(0);
    assertEquals(
        List.of(
            "checks",
            "deps",
            "goVersion",
            "goarch",
            "goos",
            "mainPath",
            "module",
            "passed",
            "path",
            "scan",
            "settings",
            "size",
            "vulnerabilities"),
        keys(hello));
    assertEquals(HELLO, hello.path("path").asText());
    assertEquals("go1.21.13", hello.path("goVersion").asText());
    assertEquals("linux", hello.path("goos").asText());
    assertEquals("amd64", hello.path("goarch").asText());
    assertEquals("example.com/demo/cmd/hello", hello.path("mainPath").asText());
    assertEquals("example.com/demo", hello.path("module").path("path").asText());
    assertEquals("SCANNED", hello.path("scan").path("status").asText());
    assertEquals("1.21.13", hello.path("scan").path("stdlibVersion").asText());
    VerifiedBinary helloBinary = report.binaries().get(0);
    List<String> settings = new ArrayList<>();
    hello
        .path("settings")
        .forEach(s -> settings.add(s.path("key").asText() + "=" + s.path("value").asText()));
    assertEquals(
        helloBinary.buildInfo().settings().stream().map(s -> s.key() + "=" + s.value()).toList(),
        settings,
        "settings in the order Go recorded them");
    assertEquals(fx.revision, valueOf(hello.path("settings"), "vcs.revision"));

    JsonNode vuln = hello.path("vulnerabilities").path(0);
    assertEquals(
        List.of("aliases", "fixedIn", "fixedVersion", "foundVersion", "id", "module", "summary"),
        keys(vuln));
    assertEquals("GO-2024-3105", vuln.path("id").asText());
    assertEquals("stdlib", vuln.path("module").asText());
    assertEquals("1.21.13", vuln.path("foundVersion").asText());
    assertEquals("1.22.7", vuln.path("fixedVersion").asText());
    assertEquals("go1.22.7", vuln.path("fixedIn").asText());
    assertTrue(vuln.path("aliases").path(0).asText().startsWith("CVE-"), vuln.toString());
    assertEquals("vulnerabilities", hello.path("checks").path(0).path("name").asText());
    assertFalse(hello.path("checks").path(0).path("passed").asBoolean(true));

    JsonNode replaced = root.path("binaries").path(1);
    JsonNode text = null;
    for (JsonNode d : replaced.path("deps")) {
      if (d.path("path").asText().equals("golang.org/x/text")) {
        text = d;
      }
    }
    assertEquals("v0.3.7", text.path("version").asText());
    assertEquals("./text", text.path("replacement").path("path").asText());
    assertTrue(text.has("sum"));

    JsonNode broken = root.path("skipped").path(1);
    assertEquals("dist/broken", broken.path("path").asText());
    assertTrue(broken.path("corrupt").asBoolean());
    assertEquals(40, broken.path("size").asInt());
    assertFalse(root.path("skipped").path(0).path("reason").asText().isEmpty());
  }

  @Test
  void sameFilesGiveTheSameBytes() throws Exception {
    List<Path> first = ReportWriters.writeAll(report, tmp.resolve("a"));
    List<Path> second = ReportWriters.writeAll(verify(), tmp.resolve("b/verify"));
    assertEquals(
        List.of(ReportWriters.JSON_FILE, ReportWriters.MARKDOWN_FILE, ReportWriters.JUNIT_FILE),
        first.stream().map(p -> p.getFileName().toString()).toList());
    for (int i = 0; i < first.size(); i++) {
      assertEquals(-1L, Files.mismatch(first.get(i), second.get(i)), first.get(i).toString());
    }
    try (var files = Files.list(tmp.resolve("a"))) {
      assertEquals(3, files.count(), "no temporary files left");
    }
  }

  @Test
  void junitHasATestPerBinaryAndCheckAndCountsThem() throws Exception {
    VerifyReport checked =
        report.withChecks(
            b ->
                List.of(
                    Check.goVersion(b.buildInfo(), GoVersion.parse("1.21.13")),
                    Check.platform(b.buildInfo(), "linux", "amd64")));
    Document doc = parse(ReportWriters.junitXml(checked));
    Element suites = doc.getDocumentElement();
    assertEquals("testsuites", suites.getTagName());
    NodeList suiteList = suites.getElementsByTagName("testsuite");
    assertEquals(1, suiteList.getLength());
    Element suite = (Element) suiteList.item(0);
    NodeList cases = suite.getElementsByTagName("testcase");
    // 2 binaries x 3 checks + 3 skipped files.
    assertEquals(9, cases.getLength());
    for (Element e : List.of(suites, suite)) {
      assertEquals("9", e.getAttribute("tests"));
      assertEquals(
          Integer.toString(suite.getElementsByTagName("failure").getLength()),
          e.getAttribute("failures"));
      assertEquals("3", e.getAttribute("failures"), "2 gates and the windows platform");
      assertEquals(
          Integer.toString(suite.getElementsByTagName("skipped").getLength()),
          e.getAttribute("skipped"));
      assertEquals("3", e.getAttribute("skipped"));
      assertEquals("0", e.getAttribute("errors"));
    }

    Element gate = testcase(suite, HELLO, "vulnerabilities");
    Element failure = (Element) gate.getElementsByTagName("failure").item(0);
    assertEquals("vulnerabilities", failure.getAttribute("type"));
    for (Finding f : report.binaries().get(0).vulnerabilities()) {
      assertTrue(failure.getTextContent().contains(f.id() + " ("), f.id());
    }
    assertTrue(failure.getTextContent().contains("fixed in go1.22.7"), failure.getTextContent());
    Element goVersion = testcase(suite, HELLO, "go-version");
    assertEquals(0, goVersion.getElementsByTagName("failure").getLength());
    assertEquals(
        "built with go1.21.13",
        goVersion.getElementsByTagName("system-out").item(0).getTextContent().strip());
    Element readme = testcase(suite, "dist/README.md", ReportWriters.BUILD_INFO_TEST);
    Element skipped = (Element) readme.getElementsByTagName("skipped").item(0);
    assertTrue(skipped.getAttribute("message").startsWith("not a Go binary: "));
    Element broken = testcase(suite, "dist/broken", ReportWriters.BUILD_INFO_TEST);
    assertTrue(
        ((Element) broken.getElementsByTagName("skipped").item(0))
            .getAttribute("message")
            .startsWith("corrupt: "));
  }

  @Test
  void markupInNamesAndMessagesIsEscaped() throws Exception {
    VerifiedBinary hello = report.binaries().get(0);
    String odd = "dist/a|b <&> \"c\"\u0001.exe";
    VerifyReport r =
        new VerifyReport(
            FailOn.FIXABLE,
            "file:///db",
            List.of(
                new VerifiedBinary(
                    odd,
                    1,
                    hello.buildInfo(),
                    hello.scan(),
                    List.of(Check.failed("custom", "x < y & \"z\"\u0002\nsecond line")))),
            List.of());
    Element testcase =
        (Element) parse(ReportWriters.junitXml(r)).getElementsByTagName("testcase").item(0);
    assertEquals("dist/a|b <&> \"c\"?.exe", testcase.getAttribute("classname"));
    Element failure = (Element) testcase.getElementsByTagName("failure").item(0);
    assertEquals("x < y & \"z\"? second line", failure.getAttribute("message"));
    assertTrue(failure.getTextContent().startsWith("x < y & \"z\"?\nsecond line\n"));

    String md = ReportWriters.markdown(r);
    assertTrue(md.contains("| `dist/a\\|b <&> \"c\"\u0001.exe` |"), md);
    assertTrue(md.contains("- check **custom** failed: x < y & \"z\"\u0002 second line\n"), md);
  }

  @Test
  void markdownSummarisesBinariesFindingsAndSkippedFiles() {
    String md = ReportWriters.markdown(report);
    assertTrue(md.startsWith("# Rebuild verification\n\n**FAILED**: 2 Go binaries verified"), md);
    assertTrue(
        md.contains(
            "| `"
                + HELLO
                + "` | go1.21.13 | linux/amd64 | `example.com/demo/cmd/hello` | 6 |"
                + " failed: vulnerabilities |\n"),
        md);
    assertTrue(
        md.contains("| `dist/replaced-windows-amd64.exe` | go1.21.13 | windows/amd64 |"), md);
    Finding f = report.binaries().get(0).vulnerabilities().get(0);
    assertTrue(
        md.contains(
            "- **GO-2024-3105** ("
                + String.join(", ", f.aliases())
                + ") in `stdlib` 1.21.13, fixed in go1.22.7: "
                + f.summary()
                + "\n"),
        md);
    assertTrue(
        md.contains("Rebuilding with go1.25.9 or later fixes every standard library finding."), md);
    assertTrue(md.contains("| `dist/broken` | **corrupt**: "), md);
    assertTrue(md.contains("| `dist/README.md` | "), md);
  }

  private static Element testcase(Element suite, String classname, String name) {
    NodeList cases = suite.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element e = (Element) cases.item(i);
      if (e.getAttribute("classname").equals(classname) && e.getAttribute("name").equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no testcase " + classname + " " + name);
  }

  private static Document parse(String xml) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> keys(JsonNode node) {
    List<String> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      out.add(it.next().getKey());
    }
    return out;
  }

  private static String valueOf(JsonNode settings, String key) {
    for (JsonNode s : settings) {
      if (s.path("key").asText().equals(key)) {
        return s.path("value").asText();
      }
    }
    return null;
  }
}
