// The project's repository (tag v1.0.0) and a local GitHub (core's FakeGitHub, which answers as
// GitHub's REST documentation says) on the port it/pom.xml reserved: repository demo/demo with the
// tag v1.0.0 at the repository's commit and its published release holding a file of its own.
// verify.groovy stops it.
import dev.rebuild.core.testing.FakeGitHub
import dev.rebuild.core.testing.ItSupport

def run(File dir, List cmd) {
  def p = new ProcessBuilder(cmd.collect { it.toString() }).directory(dir).redirectErrorStream(true).start()
  def out = p.inputStream.text
  assert p.waitFor() == 0 : "${cmd.join(' ')} failed:\n${out}"
  return out
}

def repo = new File(basedir, "repo")
def p = ["bash", "${demoDir}/make-release.sh", repo.path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"
def commit = run(repo, ["git", "rev-parse", "v1.0.0^{commit}"]).trim()

def token = "ghp_it-env-token-5c1e"
def github = FakeGitHub.start(githubPort as int, token)
github.tag("demo/demo", "v1.0.0", commit)
github.publishedRelease("demo/demo", "v1.0.0", ["demo-1.0.0.original-notes.txt": "the original's own file\n".bytes])

// The settings.xml of invocations 4 and 5: a server with a token GitHub refuses, and the server
// github whose password is the right token, encrypted with Maven's own --encrypt-password.
def secDir = new File(buildDirectory as String, "publish-github-settings")
secDir.mkdirs()
def security = new File(secDir, "settings-security.xml")
security.text = "<settingsSecurity><master>${ItSupport.mavenEncrypt(basedir, security, '--encrypt-master-password', 'master-Pw-9')}</master></settingsSecurity>\n"
def encrypted = ItSupport.mavenEncrypt(basedir, security, '--encrypt-password', token)
new File(basedir, "encrypted-token.txt").text = encrypted + "\n"
new File(secDir, "settings.xml").text = ItSupport.settingsXml("""\
    <server><id>wrong</id><password>ghp_refused-by-github</password></server>
    <server><id>github</id><password>${encrypted}</password></server>
""")
return true
