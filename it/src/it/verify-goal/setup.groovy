// A release as a user downloads it: dist/ with a tar.gz holding a Go 1.21 binary (and a README),
// a README beside it; and the project's small vulnerability database fixture, as a directory and
// as a vulndb.zip.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import java.nio.file.Files
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream

// The original Go (it/pom.xml's rebuild.it.originalGo, pinned by TestTools): installed, cached or
// downloaded by the project's own toolchain download.
def go = TestTools.goCommand(originalGo as String).toFile()

def sh = { File dir, List cmd, Map env = [:] -> ItSupport.exec(dir, cmd, env) }

def repo = new File(basedir, "repo")
sh(basedir, ["bash", "${demoDir}/make-release.sh", repo.path])
sh(repo, ["git", "checkout", "-q", "v1.0.0"])
def stage = new File(basedir, "stage/demo")
new File(stage, "bin").mkdirs()
sh(repo, [go.path, "build", "-o", new File(stage, "bin/hello").path, "./cmd/hello"],
   [GOOS: "linux", GOARCH: "amd64", CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod"])
new File(stage, "README.md").text = "# demo 1.0.0\n"
def dist = new File(basedir, "dist")
dist.mkdirs()
sh(basedir, ["tar", "czf", new File(dist, "demo-1.0.0.linux-amd64.tar.gz").path, "-C", "stage", "demo"])
new File(dist, "README.md").text = "Download the archive for your platform.\n"

// The core tests' fixture database (real ids and ranges), copied so the case is self-contained.
def fixture = new File("${demoDir}/../../core/src/test/resources/vulndb-fixture").canonicalFile
assert new File(fixture, "index/modules.json").isFile() : "fixture database missing at ${fixture}"
def db = new File(basedir, "vulndb")
def zip = new ZipOutputStream(new FileOutputStream(new File(basedir, "vulndb.zip")))
fixture.eachFileRecurse { f ->
  if (f.isFile()) {
    def rel = fixture.toPath().relativize(f.toPath()).toString().replace('\\', '/')
    def to = new File(db, rel)
    to.parentFile.mkdirs()
    Files.copy(f.toPath(), to.toPath())
    zip.putNextEntry(new ZipEntry(rel))
    zip.write(f.bytes)
    zip.closeEntry()
  }
}
zip.close()
return true
