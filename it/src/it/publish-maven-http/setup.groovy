// The project's repository (tag v1.0.0) and a real repository server on 127.0.0.1: core's
// davserver (a WebDAV server built by TestTools from core's test resources and golang.org/x/net)
// with basic authentication, creating parent collections and never replacing a file but
// maven-metadata.xml, as a release repository does. It logs every request; verify.groovy counts
// the uploads and stops it. Its port goes to dav.properties, read by every invocation.
import dev.rebuild.core.testing.PublishIt

PublishIt.demoRepository(basedir, demoDir as String)
def user = PublishIt.DAV_USER
def password = PublishIt.DAV_PASSWORD
def dav = PublishIt.dav(basedir, 0, null)
def served = dav.root()
new File(basedir, "dav.properties").text = "rebuild.it.davPort=${dav.port()}\n"
new File(basedir, "dav-deploy.properties").text = "rebuild.it.davPort=${dav.port()}\n" +
    "rebuild.deployRepository=it-releases::http://127.0.0.1:${dav.port()}/releases\n"

// What the other-bytes invocation finds: other bytes under this rebuild's names, in a release
// repository and in a plain directory.
def other = "not the rebuild's bytes\n".bytes
def version = "1.0.0-go${rebuildGo}"
def inRepo = served.resolve("releases-other/dev/rebuild/it/demo/${version}/demo-${version}-linux-amd64.tar.gz").toFile()
inRepo.parentFile.mkdirs()
inRepo.bytes = other
def inDir = served.resolve("raw-other/demo/demo-1.0.0.linux-amd64.go${rebuildGo}.tar.gz").toFile()
inDir.parentFile.mkdirs()
inDir.bytes = other

// The servers: it-releases (the repository's id) and it-raw with the right password, it-wrong with
// one the server refuses. Merged by the invoker with the ITs' settings.xml.
def dir = new File(buildDirectory as String, "publish-maven-http-settings")
dir.mkdirs()
new File(dir, "settings.xml").text = """<?xml version="1.0" encoding="UTF-8"?>
<settings>
  <pluginGroups><pluginGroup>dev.rebuild</pluginGroup></pluginGroups>
  <servers>
    <server><id>it-releases</id><username>${user}</username><password>${password}</password></server>
    <server><id>it-raw</id><username>${user}</username><password>${password}</password></server>
    <server><id>it-wrong</id><username>${user}</username><password>refused-Pw-0000</password></server>
  </servers>
</settings>
"""
return true
