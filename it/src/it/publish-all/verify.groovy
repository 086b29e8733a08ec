// What users get from each destination after the two invocations (curl, mvn dependency:get,
// sha256sum -c), that the second uploaded nothing, then a publish killed with kill -9 in the middle
// of a GitHub upload and run again: the new release stays a draft until all its assets are there,
// nothing is uploaded twice; then the same for a Maven deploy killed in the middle of an
// artifact's upload. Then the servers stop.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.PublishIt
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper

def base = "http://127.0.0.1:${githubPort}"
def api = "${base}/api/v3/repos/demo/demo"
def dav = "http://127.0.0.1:${davPort}"
def curl = { List args -> new String(ItSupport.exec(basedir, ["curl", "-sSf"] + args, [:]), "UTF-8") }
def json = { String url -> new JsonSlurper().parseText(curl(["-H", "Authorization: Bearer ${PublishIt.GITHUB_TOKEN}", url])) }
try {
  ItSupport.withBuildLog(basedir) {
    def gv = ItSupport.goVersion(TestTools.go(rebuildGo as String))
    def label = "v1.0.0-" + gv
    def version = label.substring(1)
    def log = new File(basedir, "build.log").text
    def archives = PublishIt.demoArchives(gv)
    // The provenance, SBOMs and VEX of dist/, as the committed manifest lists them.
    def documents = PublishIt.distDocuments(basedir)
    def ours = archives.values() + documents + PublishIt.labelledFiles(label)
    // Every file of ours and the POM, each with .sha1 and .md5.
    def mavenPuts = (ours.size() + 1) * 3
    def sums = "demo-${label}.SHA256SUMS".toString()

    // GitHub: attached to v1.0.0 beside the original's file; a flat download passes sha256sum -c.
    def flatGitHub = { release, String dirName ->
      def into = new File(basedir, dirName)
      into.mkdirs()
      release.assets.each { a -> ItSupport.exec(into, ["curl", "-sSfL", "-o", a.name, a.browser_download_url], [:]) }
      assert PublishIt.sha256Check(into, sums, false).size() == ours.size() - 1
    }
    def original = json("${api}/releases/tags/v1.0.0")
    assert original.assets*.name.sort() == (ours + ["demo-1.0.0.original-notes.txt"]).sort()
    flatGitHub(original, "read-back-github")

    // Maven: mvn dependency:get of each archive, each document (classifier: its name without the
    // last extension) and the checksums file from the release repository.
    def mvn = new File(itMavenHome as String, "bin/mvn").path
    def settings = PublishIt.verifySettings(new File(basedir, "verify-settings.xml"), itSettings as String, outerLocalRepository as String,
        "${dav}/releases", "it-releases", "raw")
    def readRepo = new File(basedir, "read-back-repo")
    def fromMaven = new File(basedir, "read-back-maven")
    fromMaven.mkdirs()
    archives.each { platform, name ->
      def f = PublishIt.mavenGet(basedir, mvn, settings, readRepo, "dev.rebuild.it", "demo", version,
          name.endsWith(".zip") ? "zip" : "tar.gz", platform)
      new File(fromMaven, name).bytes = f.bytes
    }
    documents.each { name ->
      def dot = name.lastIndexOf('.')
      new File(fromMaven, name).bytes = PublishIt.mavenGet(basedir, mvn, settings, readRepo, "dev.rebuild.it", "demo", version,
          name.substring(dot + 1), name.substring(0, dot)).bytes
    }
    new File(fromMaven, "checksums.txt").bytes =
        PublishIt.mavenGet(basedir, mvn, settings, readRepo, "dev.rebuild.it", "demo", version, "txt", "sha256sums").bytes
    assert PublishIt.sha256Check(fromMaven, "checksums.txt", true).sort() ==
        (archives.values() + documents).collect { "${it}: OK".toString() }.sort()

    // HTTP: curl of every file from the directory, checked with the labelled checksums file.
    def fromHttp = new File(basedir, "read-back-http")
    fromHttp.mkdirs()
    ours.each { name ->
      ItSupport.exec(fromHttp, ["curl", "-sSf", "-u", "${PublishIt.DAV_USER}:${PublishIt.DAV_PASSWORD}",
                                "-o", name, "${dav}/raw/demo/${name}"], [:])
    }
    assert PublishIt.sha256Check(fromHttp, sums, false).size() == ours.size() - 1

    // Invocation 2 uploaded nothing anywhere: the servers saw each file once.
    assert log.count("github:demo/demo: uploaded ") == ours.size()
    assert new JsonSlurper().parseText(curl(["${base}/_fake/state"])).uploads == ours.size()
    assert log.contains("github:demo/demo: ${sums} is there with the same sha256, skipped")
    assert log.contains("[rebuild] maven: nothing new to deploy to it-releases (${dav}/releases)")
    assert log.contains("[rebuild] http: nothing new to upload to ${dav}/raw/demo/")
    def maven = PublishIt.uploads(basedir, "releases")
    assert maven.size() == mavenPuts && maven.toSet().size() == maven.size() : maven
    def http = PublishIt.uploads(basedir, "raw/demo")
    assert http.size() == ours.size() && http.toSet().size() == http.size() : http

    // kill -9 while the checksums file is being uploaded to a new release for the label (the
    // local GitHub stops reading that upload after its first bytes and never answers it).
    curl(["-X", "POST", "${base}/_fake/hold-upload?name=${sums}"])
    def publish = ["env", "GITHUB_TOKEN=${PublishIt.GITHUB_TOKEN}", mvn, "-B", "-s", settings,
                   "-Dmaven.repo.local=${localRepositoryPath}", "-Pkill",
                   "-Drebuild.deployRepository=it-releases::${dav}/releases-kill",
                   "dev.rebuild:rebuild-maven-plugin:${pluginVersion}:publish", "-Dtag=v1.0.0"]*.toString()
    def killed = PublishIt.killWhen(basedir, publish) { out ->
      new JsonSlurper().parseText(curl(["${base}/_fake/state"])).held == sums
    }
    // The held upload ends as one GitHub never received whole: an empty asset in the starter state.
    curl(["-X", "POST", "${base}/_fake/release-hold"])
    def draft = json("${api}/releases").find { it.tag_name == label }
    assert draft != null && draft.draft : "the release of the killed publish: ${draft}"
    // The archives, then the documents, went before the checksums file.
    assert draft.assets.findAll { it.state == "uploaded" }*.name.sort() == (archives.values() + documents).sort()
    assert draft.assets.find { it.name == sums }?.state == "starter"
    assert killed.count("github:demo/demo: uploaded ") == archives.size() + documents.size()
    assert PublishIt.uploads(basedir, "releases-kill").isEmpty() && PublishIt.uploads(basedir, "raw-kill/demo").isEmpty()

    // The re-run: the broken asset replaced, the rest uploaded, then the release published.
    def again = new String(ItSupport.exec(basedir, publish, [:]), "UTF-8")
    assert again.count("github:demo/demo: uploaded ") == ours.size() - archives.size() - documents.size() : again
    assert again.contains("github:demo/demo: ${sums} is a broken upload (state starter), deleting it")
    assert again.indexOf("github:demo/demo: published the release ${label}") >
        again.lastIndexOf("github:demo/demo: uploaded ") : again
    def rebuilt = json("${api}/releases/tags/${label}")
    assert !rebuilt.draft
    assert rebuilt.assets*.name.sort() == ours.sort()
    assert rebuilt.assets.every { it.state == "uploaded" }
    assert json("${api}/git/ref/tags/${label}").object.sha ==
        new String(ItSupport.exec(new File(basedir, "repo"), ["git", "rev-parse", "v1.0.0^{commit}"], [:]), "UTF-8").trim()
    flatGitHub(rebuilt, "read-back-github-release")
    assert new JsonSlurper().parseText(curl(["${base}/_fake/state"])).uploads == 2 * ours.size()
    def mavenKill = PublishIt.uploads(basedir, "releases-kill")
    assert mavenKill.size() == mavenPuts && mavenKill.toSet().size() == mavenKill.size() : mavenKill
    def httpKill = PublishIt.uploads(basedir, "raw-kill/demo")
    assert httpKill.size() == ours.size() && httpKill.toSet().size() == httpKill.size() : httpKill

    // The token and the password are in no log and no file the rebuild wrote.
    // kill -9 in the middle of a Maven deploy: the repository server holds the upload of the
    // windows archive to a fresh repository after its first bytes, and stores nothing of it.
    def deploy = [mvn, "-B", "-s", settings, "-Dmaven.repo.local=${localRepositoryPath}", "-Drebuild.publish=maven",
                  "-Drebuild.deployRepository=it-releases::${dav}/releases-hold",
                  "dev.rebuild:rebuild-maven-plugin:${pluginVersion}:publish", "-Dtag=v1.0.0"]*.toString()
    def heldZip = "demo-${version}-windows-amd64.zip".toString()
    def deployKilled = PublishIt.killWhen(basedir, deploy) { out ->
      new File(basedir, "requests.log").readLines().any { it.startsWith("PUT /releases-hold/") && it.endsWith("/${heldZip} HELD") }
    }
    def artifactsHeld = { PublishIt.uploads(basedir, "releases-hold").findAll { !(it ==~ /.*\.(sha1|md5) 20\d/) } }
    assert artifactsHeld().size() in 1..ours.size() && !artifactsHeld().any { it.contains(heldZip) } : artifactsHeld()
    assert !new File(basedir, "served/releases-hold/dev/rebuild/it/demo/${version}/${heldZip}").exists()
    def deployAgain = new String(ItSupport.exec(basedir, deploy, [:]), "UTF-8")
    def hold = PublishIt.uploads(basedir, "releases-hold")
    assert hold.size() == mavenPuts && hold.toSet().size() == hold.size() : hold
    def readHold = new File(basedir, "read-back-repo-hold")
    def holdSettings = PublishIt.verifySettings(new File(basedir, "hold-settings.xml"), itSettings as String, outerLocalRepository as String,
        "${dav}/releases-hold", "it-releases", "raw")
    assert PublishIt.mavenGet(basedir, mvn, holdSettings, readHold, "dev.rebuild.it", "demo", version, "zip",
        "windows-amd64").bytes == new File(fromHttp, archives["windows-amd64"]).bytes

    PublishIt.assertNowhere(basedir, [PublishIt.GITHUB_TOKEN, PublishIt.DAV_PASSWORD], [log, killed, again, deployKilled, deployAgain])
    return true
  }
} finally {
  PublishIt.stopGitHub(githubPort as int)
  PublishIt.stopDav(basedir)
}
