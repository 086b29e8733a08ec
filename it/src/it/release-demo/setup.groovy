// The project's own repository: tag v1.0.0, a commit after it, and an uncommitted change.
import dev.rebuild.core.testing.TestTools

def repo = new File(basedir, "repo")
def p = ["bash", "${demoDir}/make-release.sh", repo.path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"
// The original release, built the way the project builds it, with the older Go (core's TestTools:
// installed, cached or downloaded by the project's own toolchain download).
def dist = new ProcessBuilder(["bash", "${demoDir}/dist.sh", repo.path, "v1.0.0", new File(basedir, "original").path]*.toString())
dist.environment().put("GO", TestTools.goCommand(originalGo as String).toString())
// Without python3, dist.sh zips with the jar of the JDK running this build.
dist.environment().put("JAVA_HOME", System.getProperty("java.home"))
def d = dist.redirectErrorStream(true).start()
def out = d.inputStream.text
assert d.waitFor() == 0 : "dist.sh failed:\n" + out
// The provenance signing key of invocations 2 and 3, and its public half for cosign.
["openssl genpkey -algorithm ed25519 -out signing.key", "openssl pkey -in signing.key -pubout -out signing.pub"].each { c ->
  def k = new ProcessBuilder(c.split(" ") as List).directory(basedir).redirectErrorStream(true).start()
  def o = k.inputStream.text
  assert k.waitFor() == 0 : "${c} failed:\n" + o
}
new File(repo, "cmd/greet/main.go").text = "package main // uncommitted and broken: the rebuild must ignore it\n"
return true
