import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper

// A failed check shows the tail of build.log (what the plugin said) with it.
ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  def archive = "dist/demo-1.0.0.linux-amd64.tar.gz"
  // The versions of the two toolchains setup.groovy built with, e.g. go1.21.13 and go1.22.12.
  def originalVersion = ItSupport.goVersion(TestTools.go(originalGo as String))
  def rebuiltVersion = ItSupport.goVersion(TestTools.go(rebuildGo as String))

  // --- 1. Same flags, another Go: every binary passes same-as-original.
  def report = new JsonSlurper().parse(new File(basedir, "target/rebuild/verify/verify-report.json"))
  assert report.passed == true
  assert report.binaries*.path == ["rebuilt/greet", "rebuilt/hello"]
  report.binaries.each { b ->
    def cmd = b.path.substring("rebuilt/".length())
    assert b.checks*.name == ["vulnerabilities", "same-as-original"]
    assert b.checks[1].passed : b.checks[1].message
    assert b.original.path == "${archive}!demo/bin/${cmd}"
    assert b.original.goVersion == originalVersion
    assert b.goVersion == rebuiltVersion
    assert b.differences.every { it.kind != "FAILURE" }
    assert b.differences.find { it.field == "setting DefaultGODEBUG" }?.kind == "EXPECTED"
  }
  assert log.contains("[rebuild]   rebuilt/hello: compared with ${archive}!demo/bin/hello")
  assert log.contains("[rebuild] PASSED: 2 binaries, 0 failed")

  // --- 2. Other -ldflags fail naming them; a command without original fails naming it.
  def other = new JsonSlurper().parse(new File(basedir, "target/other/verify/verify-report.json"))
  assert other.passed == false
  def hello = other.binaries.find { it.path == "rebuilt-other/hello" }
  def ld = hello.differences.find { it.field == "setting -ldflags" }
  assert ld.kind == "FAILURE" && ld.original == "-s -w -X main.version=1.0.0" && ld.rebuilt == "-X main.version=1.0.0"
  def extra = other.binaries.find { it.path == "rebuilt-other/extra" }
  assert extra.original == null && extra.differences == []
  assert log.contains("same-as-original: differs from ${archive}!demo/bin/hello (${originalVersion}) in setting -ldflags")
  assert log.contains("setting -ldflags: -s -w -X main.version=1.0.0 -> -X main.version=1.0.0")
  assert log.contains("same-as-original: no original binary named extra for linux/amd64 in dist")

  // --- 3. A missing original names the parameter and the fix.
  assert log.contains("'dist/nope.tar.gz' does not exist")
  assert log.contains("[parameter: <original> / -Drebuild.original]")
  assert !new File(basedir, "target/nope/verify").exists()
  return true
}
