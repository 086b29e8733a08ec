import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import java.nio.file.Files
import java.util.zip.ZipFile

// The zip's files under into (no entry may leave it).
def unzip(File zip, File into) {
  new ZipFile(zip).withCloseable { z ->
    z.entries().each { e ->
      def f = new File(into, e.name)
      assert f.canonicalPath.startsWith(into.canonicalPath + File.separator) : e.name
      if (e.directory) {
        f.mkdirs()
      } else {
        f.parentFile.mkdirs()
        z.getInputStream(e).withCloseable { f.bytes = it.bytes }
      }
    }
  }
}

// A failed check shows the tail of build.log (what the plugin said) with it.
ItSupport.withBuildLog(basedir) {
  // The Go the plugin rebuilt with (-Dgo, it/pom.xml's rebuild.it.go): the toolchain TestTools
  // provides for that version is the one the plugin finds (installed, else the toolchain cache).
  def goroot = TestTools.go(rebuildGo as String)
  def gv = ItSupport.goVersion(goroot)
  // The machine's Go reads the build information: a reader independent of the rebuild.
  def go = TestTools.machineGoCommand().toString()
  def repo = new File(basedir, "repo")
  def commit = ItSupport.run(repo, ["git", "rev-parse", "v1.0.0^{commit}"]).trim()
  def log = new File(basedir, "build.log").text
  def tagDir = new File(basedir, "target/rebuild/v1.0.0")
  def dist = new File(tagDir, "dist")

  // The same case runs on Maven 3.8.7 and on Maven 3.9, whichever Maven runs the build (it/pom.xml).
  if (basedir.path.contains("it-maven39")) {
    assert log.contains("Apache Maven 3.9.") : "not run on Maven 3.9"
  } else {
    assert log.contains("Apache Maven 3.8.7") : "not run on Maven 3.8.7"
  }

  // Progress per target in the Maven log.
  ["linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"].each { t ->
    assert log.contains("[rebuild] build ${t} started") : t
    assert log =~ /\[rebuild\] build ${t} done in \d+\.\d s \(2 binaries\)/ : t
  }

  def expected = ["demo-1.0.0.darwin-arm64.${gv}.tar.gz", "demo-1.0.0.linux-amd64.${gv}.tar.gz",
                  "demo-1.0.0.linux-arm64.${gv}.tar.gz", "demo-1.0.0.windows-amd64.${gv}.zip"]*.toString()
  // Next to each archive its provenance and its SBOM; and the VEX of what the rebuild fixed.
  def vex = "demo-v1.0.0-${gv}.openvex.json".toString()
  def attachments = expected.collect { it + ".intoto.jsonl" } + expected.collect { it + ".cdx.json" } + [vex]
  assert dist.list().sort() == (expected + attachments).sort()

  // Checksums in sha256sum -c format, the attachments too.
  def sums = ItSupport.run(dist, ["sha256sum", "-c", "../SHA256SUMS"])
  (expected + attachments).each { assert sums.contains("${it}: OK") }

  // Unsigned without a key, and said so. Each provenance names its archive by digest and the
  // tag's commit; the VEX says fixed what the verification found fixed.
  assert log.contains("[rebuild] provenance and VEX are unsigned: no rebuild.signingKey given")
  def json = new groovy.json.JsonSlurper()
  expected.each { a ->
    def st = json.parseText(new File(dist, a + ".intoto.jsonl").text)
    assert st._type == "https://in-toto.io/Statement/v1"
    assert st.predicateType == "https://slsa.dev/provenance/v1"
    assert st.subject[0].name == a
    assert st.subject[0].digest.sha256 == ItSupport.run(dist, ["sha256sum", a]).split(" ")[0]
    def deps = st.predicate.buildDefinition.resolvedDependencies
    assert deps.find { it.name == "source" }.digest.gitCommit == commit
    assert deps.find { it.name == "toolchain" }.annotations.version == gv
  }
  def vexDoc = json.parse(new File(dist, vex))
  assert vexDoc.statements.any { it.status == "fixed" && it.vulnerability.name == "GO-2024-3105" }
  assert vexDoc.statements.any { it.status == "affected" && it.vulnerability.name == "GO-2024-3105" }

  // Signed with the Ed25519 key (invocations 2 and 3): cosign verifies each archive's provenance.
  def signed = new File(basedir, "target/a/v1.0.0/dist")
  expected.each { a ->
    def c = new ProcessBuilder([TestTools.tool("cosign").toString(), "verify-blob-attestation",
        "--key", new File(basedir, "signing.pub").path, "--signature", new File(signed, a + ".intoto.jsonl").path,
        "--type", "slsaprovenance1", "--insecure-ignore-tlog=true", "--offline=true", new File(signed, a).path])
        .redirectErrorStream(true)
    c.environment().put("HOME", basedir.path)
    def p = c.start()
    def o = p.inputStream.text
    assert p.waitFor() == 0 : "cosign refused the provenance of ${a}:\n${o}"
  }
  assert log.contains("[rebuild] signing provenance and VEX with the Ed25519 key")

  // rebuild:verify -Drebuild.provenance: the archive matches its provenance (invocation 5),
  // another archive does not (invocation 6 fails).
  assert log.contains("[rebuild] Provenance demo-1.0.0.linux-amd64.${gv}.tar.gz.intoto.jsonl: PASSED")
  assert log.contains("provenance FAILED: demo-1.0.0.linux-arm64.${gv}.tar.gz: subject: sha256 ")
  assert log.contains("The artifacts do not match the provenance ")

  // Every binary in every archive: the requested Go, its target, the tag's commit, clean tree.
  def x = new File(basedir, "target/extracted")
  x.mkdirs()
  expected.each { a ->
    if (a.endsWith(".zip")) unzip(new File(dist, a), x)
    else ItSupport.run(x, ["tar", "xzf", new File(dist, a).path])
  }
  expected.each { a ->
    def name = a.replaceAll(/\.(tar\.gz|zip)$/, "")
    def (os, arch) = (name =~ /\.(\w+)-(\w+)\.go/)[0][1, 2]
    ["hello", "greet"].each { b ->
      def bin = "${name}/bin/${b}${os == 'windows' ? '.exe' : ''}"
      def m = ItSupport.run(x, [go, "version", "-m", bin])
      assert m.startsWith("${bin}: ${gv}\n") : m
      assert m.contains("\tbuild\tGOOS=${os}\n") : m
      assert m.contains("\tbuild\tGOARCH=${arch}\n") : m
      assert m.contains("\tbuild\tvcs.revision=${commit}\n") : m
      assert m.contains("\tbuild\tvcs.modified=false\n") : m
      assert m.contains("\tbuild\t-ldflags=\"-s -w -X main.version=1.0.0\"\n") : m
    }
  }

  // Each archive's SBOM names the archive and the two binaries in it by the sha256 sha256sum gives
  // them, at the requested Go, with the archive's platform in their purls.
  expected.each { a ->
    def name = a.replaceAll(/\.(tar\.gz|zip)$/, "")
    def (os, arch) = (name =~ /\.(\w+)-(\w+)\.go/)[0][1, 2]
    def bom = json.parse(new File(dist, a + ".cdx.json"))
    assert bom.bomFormat == "CycloneDX" && bom.specVersion == "1.6"
    assert !bom.metadata.timestamp
    assert bom.metadata.component.name == a
    assert bom.metadata.component.hashes[0].content == ItSupport.run(dist, ["sha256sum", a]).split(" ")[0]
    def apps = bom.components.findAll { it.type == "application" }
    assert apps*.name.sort() == ["example.com/demo/cmd/greet", "example.com/demo/cmd/hello"]
    apps.each { app ->
      def bin = app.properties.find { it.name == "rebuild:path" }.value
      assert app.hashes[0].content == ItSupport.run(x, ["sha256sum", bin]).split(" ")[0]
      assert app.purl.contains("goos=${os}") && app.purl.contains("goarch=${arch}") : app.purl
    }
    assert bom.components.find { it.name == "stdlib" }.version == "v" + gv.substring(2)
  }

  // The rebuilt binary runs and reports the version -ldflags -X gave it.
  assert ItSupport.run(x, ["demo-1.0.0.linux-amd64.${gv}/bin/hello"]) == "hello 1.0.0\n"

  // With -trimpath, two runs in different directories (one target at a time, all at once) give
  // the same bytes. (Rerunning in the same directory is byte-identical without it: core tests.)
  expected.each { a ->
    assert Files.mismatch(new File(basedir, "target/a/v1.0.0/dist/${a}").toPath(), new File(basedir, "target/b/v1.0.0/dist/${a}").toPath()) == -1L : a
  }
  assert new File(basedir, "target/a/v1.0.0/SHA256SUMS").text == new File(basedir, "target/b/v1.0.0/SHA256SUMS").text
  assert new File(basedir, "target/a/v1.0.0/SHA256SUMS").text != new File(tagDir, "SHA256SUMS").text

  // The manifest records the commit, its time, the toolchain and every binary's Go version.
  def manifest = new groovy.json.JsonSlurper().parse(new File(tagDir, "rebuild-manifest.json"))
  assert manifest.commit == commit
  assert manifest.go.version == gv
  assert manifest.go.origin.contains(goroot.toString()) : manifest.go.origin
  assert manifest.artifacts*.name == expected
  assert manifest.artifacts.every { it.binaries.size() == 2 && it.binaries.every { b -> b.goVersion == gv } }

  // The rebuild equals the original in everything but the Go version, and fixes the original's
  // standard library vulnerabilities that the rebuild's Go fixes (GO-2024-3105: fixed in 1.22.7,
  // which rebuild.it.go must therefore be at least).
  def verification = manifest.verification
  assert verification.original.endsWith("/original")
  assert verification.failOn == "none"
  assert verification.binaries.size() == 8
  verification.binaries.each { b ->
    assert b.checks*.name == ["go-version", "platform", "vcs", "same-as-original"] : b
    assert b.checks.every { it.passed } : b
    assert b.vulnerabilities.fixedByRebuild.contains("GO-2024-3105") : b
    assert !b.vulnerabilities.rebuilt.contains("GO-2024-3105") : b
  }
  def still = verification.binaries[0].vulnerabilities.stillPresent
  assert still.size() > 0 && still.every { it.fixedIn ==~ /go1\.\d+\.\d+/ } : still
  def report = new File(tagDir, "verification-report.md").text
  assert report.contains("| `demo-1.0.0.linux-amd64.${gv}.tar.gz!demo-1.0.0.linux-amd64.${gv}/bin/hello` | ${gv} | all 4 passed |")
  assert log.contains("[rebuild] --- verify")
  // The same facts for machines: JSON, and JUnit for Jenkins (one test case per binary and check).
  def junit = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
      .parse(new File(tagDir, "verification/verify-junit.xml"))
  def cases = junit.getElementsByTagName("testcase")
  assert cases.length == 8 * 5
  assert junit.getElementsByTagName("testsuite").item(0).getAttribute("failures") == "0"
  assert (0..<cases.length).count { cases.item(it).getAttribute("name") == "same-as-original" } == 8
  def vjson = new groovy.json.JsonSlurper().parse(new File(tagDir, "verification/verify-report.json"))
  assert vjson.binaries.size() == 8
  assert vjson.binaries.every { it.goVersion == gv }

  // The plan names targets, binaries and artifacts.
  assert log.contains("[rebuild]   target windows/amd64: greet.exe hello.exe -> demo-1.0.0.windows-amd64.${gv}.zip")
  assert log.contains("[rebuild]   target linux/amd64: greet hello -> demo-1.0.0.linux-amd64.${gv}.tar.gz")

  // The user's checkout is untouched: still dirty, still on main.
  assert ItSupport.run(repo, ["git", "status", "--porcelain"]).contains(" M cmd/greet/main.go")
  assert ItSupport.run(repo, ["git", "rev-parse", "--abbrev-ref", "HEAD"]).trim() == "main"
  return true
}
