// An original release built with Go 1.21 (dist/demo-1.0.0.linux-amd64.tar.gz with demo/bin/hello
// and demo/bin/greet), a rebuild of it with Go 1.22 and the same flags (rebuilt/), and one with
// other -ldflags plus a command the release does not have (rebuilt-other/).
// Both Go toolchains come from core's TestTools (it/pom.xml's rebuild.it.originalGo and
// rebuild.it.go): installed, cached or downloaded by the project's own toolchain download.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools

def go121 = TestTools.goCommand(originalGo as String).toFile()
def go122 = TestTools.goCommand(rebuildGo as String).toFile()

def sh = { File dir, List cmd, Map env = [:] -> ItSupport.exec(dir, cmd, env) }
def env = [GOOS: "linux", GOARCH: "amd64", CGO_ENABLED: "0", GOENV: "off", GOTOOLCHAIN: "local",
           GOFLAGS: "-mod=mod", GOPROXY: "off"]
def build = { File go, String cmd, File out, String ldflags ->
  sh(repo, [go.path, "build", "-o", out.path, "-ldflags=" + ldflags, "./cmd/" + cmd],
     env + [GOROOT: go.parentFile.parentFile.path])
}

repo = new File(basedir, "repo")
sh(basedir, ["bash", "${demoDir}/make-release.sh", repo.path])
sh(repo, ["git", "checkout", "-q", "v1.0.0"])
def flags = "-s -w -X main.version=1.0.0"
def stage = new File(basedir, "stage/demo")
new File(stage, "bin").mkdirs()
["hello", "greet"].each { build(go121, it, new File(stage, "bin/" + it), flags) }
def dist = new File(basedir, "dist")
dist.mkdirs()
sh(basedir, ["tar", "czf", new File(dist, "demo-1.0.0.linux-amd64.tar.gz").path, "-C", "stage", "demo"])
new File(dist, "README.md").text = "Download the archive for your platform.\n"

def rebuilt = new File(basedir, "rebuilt")
rebuilt.mkdirs()
["hello", "greet"].each { build(go122, it, new File(rebuilt, it), flags) }

def other = new File(basedir, "rebuilt-other")
other.mkdirs()
build(go122, "hello", new File(other, "hello"), "-X main.version=1.0.0")
build(go122, "greet", new File(other, "extra"), flags)
return true
