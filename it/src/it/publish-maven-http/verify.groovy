// What a user of the release gets from the Maven repository (mvn dependency:get) and the plain HTTP
// directory (curl), checked with sha256sum -c; that invocations 2 to 4 uploaded nothing; then a
// publish killed with kill -9 and run again; then the server stops.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.PublishIt
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper

def port = new File(basedir, "dav.properties").text.find(/\d+/)
def user = PublishIt.DAV_USER
def password = PublishIt.DAV_PASSWORD
def base = "http://127.0.0.1:${port}"
def uploads = { String under -> PublishIt.uploads(basedir, under) }
try {
  ItSupport.withBuildLog(basedir) {
    def gv = ItSupport.goVersion(TestTools.go(rebuildGo as String))
    def label = "v1.0.0-" + gv
    def version = label.substring(1)
    def log = new File(basedir, "build.log").text
    def archives = PublishIt.demoArchives(gv)
    // The provenance, SBOMs and VEX of dist/ (as the committed manifest lists them), then the
    // labelled checksums, manifest and report.
    def documents = PublishIt.distDocuments(basedir)
    def extras = documents + PublishIt.labelledFiles(label)
    // Every file and the POM.
    def artifactCount = archives.size() + extras.size() + 1
    def coordinates = "dev.rebuild.it:demo"

    // Invocation 1: every file deployed and uploaded, once.
    archives.each { platform, name ->
      def ext = name.endsWith(".zip") ? "zip" : "tar.gz"
      assert log.contains("[rebuild] maven: deployed ${coordinates}:${ext}:${platform}:${version} to it-releases")
      assert log.contains("[rebuild] http: uploaded ${name} at ${base}/raw/demo/${name}")
    }
    // Invocation 2: nothing new.
    assert log.contains("[rebuild] maven: nothing new to deploy to it-releases (${base}/releases)")
    assert log.contains("[rebuild] http: nothing new to upload to ${base}/raw/demo/")
    // Each artifact with its .sha1 and .md5.
    def maven = uploads("releases")
    assert maven.size() == artifactCount * 3 : maven
    assert maven.toSet().size() == maven.size() : "uploaded twice: ${maven}"
    def http = uploads("raw/demo")
    assert http.size() == archives.size() + extras.size() : http
    assert http.toSet().size() == http.size() : "uploaded twice: ${http}"

    // Invocation 3: refused credentials, named with the server to fix; the password in no log.
    assert log.contains("settings.xml <server> with id it-wrong")
    assert log.contains("settings.xml <server> it-wrong")
    assert !log.contains("refused-Pw-0000") && !log.contains(password)

    // Invocation 4: other bytes under this rebuild's names are refused, nothing is uploaded there.
    assert log.contains("already holds ${coordinates}:tar.gz:linux-amd64:${version} (for ${archives['linux-amd64']}) with other bytes")
    assert log.contains("${base}/raw-other/demo/${archives['linux-amd64']} already holds other bytes")
    assert uploads("releases-other").isEmpty() && uploads("raw-other/demo").isEmpty()

    // The Maven repository, read with mvn dependency:get into an empty local repository.
    def settings = PublishIt.verifySettings(new File(basedir, "verify-settings.xml"), itSettings as String, outerLocalRepository as String,
        "${base}/releases", "it-releases", "it-raw")
    def mvn = new File(itMavenHome as String, "bin/mvn").path
    def readRepo = new File(basedir, "read-back-repo")
    def read = new File(basedir, "read-back-maven")
    read.mkdirs()
    def fetch = { String classifier, String ext, String as ->
      new File(read, as).bytes = PublishIt.mavenGet(basedir, mvn, settings, readRepo, "dev.rebuild.it", "demo",
          version, ext, classifier).bytes
    }
    archives.each { platform, name -> fetch(platform, name.endsWith(".zip") ? "zip" : "tar.gz", name) }
    // A document's classifier is its name without the last extension.
    documents.each { name ->
      def dot = name.lastIndexOf('.')
      fetch(name.substring(0, dot), name.substring(dot + 1), name)
    }
    fetch("sha256sums", "txt", "checksums.txt")
    def ok = PublishIt.sha256Check(read, "checksums.txt", true)
    assert ok.sort() == (archives.values() + documents).collect { "${it}: OK".toString() }.sort() : ok

    // The HTTP directory, read with curl: a flat download checked with the labelled checksums file.
    def flat = new File(basedir, "read-back-http")
    flat.mkdirs()
    (archives.values() + extras).each { name ->
      ItSupport.run(flat, ["curl", "-sSf", "-u", "${user}:${password}", "-o", name, "${base}/raw/demo/${name}"])
    }
    assert PublishIt.sha256Check(flat, "demo-${label}.SHA256SUMS", false).size() == archives.size() + extras.size() - 1

    // The records in publish/ say what is where, without credentials.
    def records = new File(basedir, "target/rebuild/v1.0.0/publish").listFiles().findAll { it.name.endsWith(".json") }
    def byDestination = records.collectEntries { [(new JsonSlurper().parse(it).destination): new JsonSlurper().parse(it)] }
    assert byDestination["maven:${base}/releases#dev.rebuild.it".toString()].items.size() == artifactCount
    assert byDestination["http:${base}/raw/demo/".toString()].items*.reference.sort() ==
        (archives.values() + extras).collect { "${base}/raw/demo/${it}".toString() }.sort()
    records.each { assert !it.text.contains(password) && !it.text.contains(user) : it }

    // kill -9 during a publish to fresh destinations, once the first artifact is deployed; the
    // re-run sends only the rest, and no file is uploaded twice.
    def publish = [mvn, "-B", "-s", settings, "-Dmaven.repo.local=${localRepositoryPath}",
                   "-Drebuild.it.davPort=${port}", "-Pkill",
                   "dev.rebuild:rebuild-maven-plugin:${pluginVersion}:publish", "-Dtag=v1.0.0"]*.toString()
    PublishIt.killWhen(basedir, publish) { out -> out.contains("[rebuild] maven: deployed ") }
    def artifacts = { uploads("releases-kill").findAll { !(it ==~ /.*\.(sha1|md5) 20\d/) } }
    assert artifacts().size() in 1..<artifactCount : "killed after the first artifact: ${artifacts()}"
    ItSupport.run(basedir, publish)
    assert artifacts().size() == artifactCount && artifacts().toSet().size() == artifactCount : "each artifact once: ${artifacts()}"
    // A kill between an artifact and its checksum files leaves those missing (the re-run finds the
    // artifact with the same bytes and keeps it): never a checksum file twice.
    def killed = uploads("releases-kill")
    assert killed.toSet().size() == killed.size() : "uploaded twice: ${killed}"
    def rawKilled = uploads("raw-kill/demo")
    assert rawKilled.size() == archives.size() + extras.size() && rawKilled.toSet().size() == rawKilled.size() : rawKilled
    return true
  }
} finally {
  PublishIt.stopDav(basedir)
}
