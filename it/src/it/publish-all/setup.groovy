// The project's repository (tag v1.0.0), a local GitHub with the original release v1.0.0 (core's
// FakeGitHub) and a repository server (core's davserver: a release repository under /releases, a
// plain directory under /raw) on the ports it/pom.xml reserved; verify.groovy stops both.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.PublishIt

def commit = PublishIt.demoRepository(basedir, demoDir as String)
PublishIt.gitHub(githubPort as int, commit)
// The first upload of the windows archive to /releases-hold is held: verify.groovy kills the
// deploy in the middle of it.
PublishIt.dav(basedir, davPort as int, '^/releases-hold/.*-windows-amd64\\.zip$')
new File(basedir, "deploy.properties").text =
    "rebuild.deployRepository=it-releases::http://127.0.0.1:${davPort}/releases\n"
def dir = new File(buildDirectory as String, "publish-all-settings")
dir.mkdirs()
new File(dir, "settings.xml").text = ItSupport.settingsXml(PublishIt.davServers("it-releases", "raw"))
return true
