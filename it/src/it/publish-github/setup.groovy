// The project's repository (tag v1.0.0) and a local GitHub (core's FakeGitHub, which answers as
// GitHub's REST documentation says) on the port it/pom.xml reserved: repository demo/demo with the
// tag v1.0.0 at the repository's commit and its published release holding a file of its own.
// verify.groovy stops it.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.PublishIt

def commit = PublishIt.demoRepository(basedir, demoDir as String)
def token = PublishIt.GITHUB_TOKEN
PublishIt.gitHub(githubPort as int, commit)

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
