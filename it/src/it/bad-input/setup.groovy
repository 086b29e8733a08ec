// A repository with the good tag v1.0.0 and a tag v1.0.1 whose windows build does not compile; the
// original release of v1.0.0, built with the original Go (core's TestTools provides it).
import dev.rebuild.core.testing.TestTools

def repo = new File(basedir, "repo")
def sh = { List cmd ->
  def p = new ProcessBuilder(cmd.collect { it.toString() }).directory(repo.exists() ? repo : basedir).redirectErrorStream(true).start()
  def out = p.inputStream.text
  assert p.waitFor() == 0 : "${cmd.join(' ')}:\n${out}"
}
sh(["bash", "${demoDir}/make-release.sh", repo.path])
def dist = new ProcessBuilder(["bash", "${demoDir}/dist.sh", repo.path, "v1.0.0", new File(basedir, "original").path, "linux/amd64 windows/amd64"]*.toString())
dist.environment().put("GO", TestTools.goCommand(originalGo as String).toString())
// Without python3, dist.sh zips with the jar of the JDK running this build.
dist.environment().put("JAVA_HOME", System.getProperty("java.home"))
def d = dist.redirectErrorStream(true).start()
def dout = d.inputStream.text
assert d.waitFor() == 0 : dout
sh(["git", "checkout", "-q", "v1.0.0"])
new File(repo, "cmd/hello/windows.go").text = '//go:build windows\n\npackage main\n\nvar broken int = "not an int"\n'
sh(["git", "add", "-A"])
sh(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "breaks windows"])
sh(["git", "tag", "v1.0.1"])
new File(basedir, "notgit").mkdirs()
return true
