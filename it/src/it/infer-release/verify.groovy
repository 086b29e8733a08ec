import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper
import javax.xml.parsers.DocumentBuilderFactory

def run(File dir, List cmd) {
  return new String(ItSupport.exec(dir, cmd, [:]), "UTF-8")
}

ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text

  // --- 1 and 2: every binary the same as the original but for Go; checksums hold.
  def expected = [
    "v2.4.1": ["kestrel_2.4.1-go${rebuildGo}_linux_amd64.tar.gz",
               "kestrel_2.4.1-go${rebuildGo}_linux_armv7.tar.gz",
               "kestrel_2.4.1-go${rebuildGo}_windows_amd64.zip"],
    "v1.3.0": ["nsq-1.3.0.darwin-arm64.go${rebuildGo}.tar.gz",
               "nsq-1.3.0.linux-amd64.go${rebuildGo}.tar.gz",
               "nsq-1.3.0.linux-arm64.go${rebuildGo}.tar.gz"]]
  expected.each { tag, names ->
    def root = new File(basedir, "target/rebuild/${tag}")
    def manifest = new JsonSlurper().parse(new File(root, "rebuild-manifest.json"))
    assert manifest.artifacts*.name == names*.toString()
    def v = manifest.verification
    assert v.binaries.size() == (tag == "v2.4.1" ? 3 : 6)
    v.binaries.each { b ->
      assert b.checks.find { it.name == "same-as-original" }?.passed == true : "${b.path}: ${b.checks}"
    }
    assert run(new File(root, "dist"), ["sha256sum", "-c", "../SHA256SUMS"]).readLines().every { it.endsWith(": OK") }
  }

  // The independent reader: GoReleaser's -ldflags with this tag's version and commit.
  def commit = run(new File(basedir, "kestrel"), ["git", "rev-parse", "v2.4.1^{commit}"]).trim()
  def unpacked = new File(basedir, "unpacked")
  unpacked.mkdirs()
  run(unpacked, ["tar", "xzf", new File(basedir, "target/rebuild/v2.4.1/dist/kestrel_2.4.1-go${rebuildGo}_linux_amd64.tar.gz").path])
  def info = run(unpacked, [TestTools.machineGoCommand().toString(), "version", "-m", "kestrel"])
  assert info.contains("go${rebuildGo}")
  assert info.contains("-X main.version=2.4.1 -X main.commit=${commit}")
  assert new File(unpacked, "LICENSE").text == new File(basedir, "kestrel/LICENSE").text

  // --- 3: the plan names the source of each value and prints a POM block an XML parser reads.
  assert log.contains("[rebuild]   archive.name = {project}_{version}_{os}_{arch}  (from kestrel_2.4.1_linux_amd64.tar.gz")
  assert log.contains("do not carry the Go version")
  def xml = log.readLines()
      .collect { it.replaceFirst(/^\[INFO\] /, "") }
      .dropWhile { it != "<configuration>" }
      .takeWhile { it != "</configuration>" }
  assert !xml.isEmpty()
  def doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
      .parse(new ByteArrayInputStream(((xml + "</configuration>").join("\n")).getBytes("UTF-8")))
  assert doc.getElementsByTagName("targets").item(0).textContent == "linux/amd64,linux/arm/7,windows/amd64"
  assert doc.getElementsByTagName("name").item(0).textContent == "{project}_{version}-go{goVersion}_{os}_{arch}"

  // --- 4: refused before anything was built, naming the parameter and the fix.
  assert log.contains("[parameter: <ldflags> / -Drebuild.ldflags]")
  assert !new File(basedir, "target/trimpath/v1.3.0/rebuild-manifest.json").exists()

  // The originals are only read.
  assert new File(basedir, "kestrel-release").list().sort() ==
      ["kestrel_2.4.1_checksums.txt", "kestrel_2.4.1_linux_amd64.tar.gz",
       "kestrel_2.4.1_linux_armv7.tar.gz", "kestrel_2.4.1_windows_amd64.zip"]
  assert run(new File(basedir, "kestrel-release"), ["sha256sum", "-c", "kestrel_2.4.1_checksums.txt"])
      .readLines().every { it.endsWith(": OK") }
  return true
}
