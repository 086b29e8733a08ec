import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper
import java.util.regex.Pattern
import javax.xml.parsers.DocumentBuilderFactory

// The command's standard output, all of it (stderr only in the failure).
def run(File dir, List cmd) {
  return new String(ItSupport.exec(dir, cmd, [:]), "UTF-8")
}

// A failed check shows the tail of build.log (what the plugin said) with it.
ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  def member = "dist/demo-1.0.0.linux-amd64.tar.gz!demo/bin/hello"
  // The Go that built the release (setup.groovy), e.g. go1.21.13. The ids are what the fixture
  // database lists for that version's standard library.
  def goVersion = ItSupport.goVersion(TestTools.go(originalGo as String))
  def stdlib = goVersion.substring(2)
  def expectedIds = ["GO-2024-3105", "GO-2024-3106", "GO-2024-3107", "GO-2025-3373", "GO-2025-3563", "GO-2026-4864"]

  // --- 1. failOn=none without a POM: reports under ./target/rebuild/verify.
  def out = new File(basedir, "target/rebuild/verify")
  ["verify-report.json", "verify-report.md", "verify-junit.xml"].each {
    assert new File(out, it).isFile() : "missing ${it} in ${out}"
  }
  def report = new JsonSlurper().parse(new File(out, "verify-report.json"))
  assert report.failOn == "none"
  assert report.passed == true
  assert report.binaries*.path == [member]
  def bin = report.binaries[0]
  assert bin.goVersion == goVersion
  assert bin.goos == "linux" && bin.goarch == "amd64"
  assert bin.mainPath == "example.com/demo/cmd/hello"
  assert bin.module.path == "example.com/demo"
  assert bin.settings.find { it.key == "GOOS" }.value == "linux"
  assert bin.settings.find { it.key == "CGO_ENABLED" }.value == "0"
  assert bin.scan.status == "SCANNED" && bin.scan.stdlibVersion == stdlib
  assert bin.vulnerabilities*.id == expectedIds
  assert bin.vulnerabilities.every { it.module == "stdlib" && it.foundVersion == stdlib && it.fixedVersion }
  assert bin.vulnerabilities.findAll { it.fixedIn.startsWith("go1.22.") }*.id == expectedIds[0..3]
  assert bin.checks*.name == ["vulnerabilities"] && bin.checks[0].passed
  assert report.skipped*.path == ["dist/README.md", "dist/demo-1.0.0.linux-amd64.tar.gz!demo/README.md"]
  assert report.skipped.every { !it.corrupt && it.reason }

  // The console table and summary.
  assert log =~ /\[rebuild\]   BINARY\s+GO\s+PLATFORM\s+MAIN\s+VULNS\s+RESULT/
  assert log =~ /\[rebuild\]   dist\/demo-1\.0\.0\.linux-amd64\.tar\.gz!demo\/bin\/hello\s+${Pattern.quote(goVersion)}\s+linux\/amd64\s+example\.com\/demo\/cmd\/hello\s+6\s+ok/
  assert log.contains("[rebuild]   skipped dist/README.md: ")
  assert log.contains("[rebuild] PASSED: 1 binary, 0 failed, 6 vulnerabilities, 2 skipped")

  // JUnit XML as Jenkins reads it: counts match the test cases.
  def doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(out, "verify-junit.xml"))
  def suites = doc.documentElement
  assert suites.tagName == "testsuites"
  def suite = suites.getElementsByTagName("testsuite").item(0)
  def cases = suite.getElementsByTagName("testcase")
  assert cases.length == 3
  [suites, suite].each {
    assert it.getAttribute("tests") == "3"
    assert it.getAttribute("failures") == "0"
    assert it.getAttribute("skipped") == "2"
    assert it.getAttribute("errors") == "0"
  }
  assert cases.item(0).getAttribute("classname") == member
  assert cases.item(0).getAttribute("name") == "vulnerabilities"
  assert suite.getElementsByTagName("skipped").length == 2

  def md = new File(out, "verify-report.md").text
  assert md.contains("| `${member}` | ${goVersion} | linux/amd64 | `example.com/demo/cmd/hello` | 6 | passed |")
  assert md.contains("- **GO-2024-3105** (")
  assert md.contains("fixed in go1.22.7")

  // The same ids as govulncheck reads from the same binary, with the same database.
  // govulncheck: pinned and built with the machine's Go by TestTools, cached in ~/.cache/rebuild.
  def govulncheck = TestTools.tool("govulncheck").toFile()
  def x = new File(basedir, "target/extracted")
  x.mkdirs()
  run(x, ["tar", "xzf", new File(basedir, "dist/demo-1.0.0.linux-amd64.tar.gz").path])
  def json = run(x, [govulncheck.path, "-mode", "binary", "-scan", "module", "-format", "json",
                     "-db", new File(basedir, "vulndb").toURI().toString().replaceFirst('^file:/+', 'file:///'), "demo/bin/hello"])
  def theirs = new TreeSet()
  def slurper = new JsonSlurper()
  // govulncheck writes a stream of indented JSON objects, each starting at the start of a line.
  json.split(/\n(?=\{)/).each { part ->
    def msg = slurper.parseText(part)
    if (msg.finding) {
      def fixed = msg.finding.fixed_version?.replaceFirst('^v', '')
      theirs << "${msg.finding.osv} ${msg.finding.trace[0].module} ${fixed}".toString()
    }
  }
  def ours = new TreeSet(bin.vulnerabilities.collect { "${it.id} ${it.module} ${it.fixedVersion}".toString() })
  assert ours == theirs : "Rebuild ${ours} vs govulncheck ${theirs}"

  // --- 2. The default gate fails, naming the ids and the Go that fixes them; reports are written.
  assert log.contains("Verification failed for 1 of 1 binary (failOn=fixable):")
  assert log.contains("${member} (${goVersion})")
  assert log.contains("vulnerabilities: " + expectedIds.join(", "))
  assert log.contains("rebuild with go1.25.9 or later to fix the standard library findings")
  def strict = new JsonSlurper().parse(new File(basedir, "target/strict/verify/verify-report.json"))
  assert strict.failOn == "fixable" && strict.passed == false
  assert strict.binaries[0].vulnerabilities*.id == expectedIds
  assert strict.database.endsWith("vulndb.zip")
  def strictDoc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(basedir, "target/strict/verify/verify-junit.xml"))
  assert strictDoc.documentElement.getAttribute("failures") == "1"
  def failure = strictDoc.getElementsByTagName("failure").item(0)
  expectedIds.each { assert failure.textContent.contains(it) }

  // --- 3. to 5.: bad input and an unreachable database; no reports.
  assert log.contains("'dist/nope.tar.gz' does not exist")
  assert log.contains("[parameter: <artifacts> / -Drebuild.artifacts]")
  assert log.contains("Bad <failOn> / -Drebuild.failOn: 'sometimes' is not a failOn value; use one of none, any, fixable")
  assert log.contains("Cannot read the Go vulnerability database: ")
  assert log =~ /\(java.net.ConnectException\).*download https:\/\/vuln.go.dev\/vulndb.zip and give its path \[parameter: <vulndb> \/ -Drebuild.vulndb\]/
  assert !new File(basedir, "target/nope").exists()
  return true
}
