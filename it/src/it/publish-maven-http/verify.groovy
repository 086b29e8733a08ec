// What a user of the release gets from the Maven repository (mvn dependency:get) and the plain HTTP
// directory (curl), checked with sha256sum -c; that invocations 2 to 4 uploaded nothing; then a
// publish killed with kill -9 and run again; then the server stops.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper

def run(File dir, List cmd, Map env = [:]) {
  def pb = new ProcessBuilder(cmd.collect { it.toString() }).directory(dir).redirectErrorStream(true)
  pb.environment().putAll(env)
  def p = pb.start()
  def out = p.inputStream.text
  assert p.waitFor() == 0 : "${cmd.join(' ')} failed:\n${out}"
  return out
}

def port = new File(basedir, "dav.properties").text.find(/\d+/)
def (user, password) = new File(basedir, "dav.txt").readLines()
def base = "http://127.0.0.1:${port}"
def requests = { new File(basedir, "requests.log").readLines() }
// Successful uploads of files (the repository's maven-metadata.xml is rewritten by every deploy).
def uploads = { String under ->
  requests().findAll { it ==~ /PUT \/${under}\/\S+ 20\d/ && !it.contains("maven-metadata.xml") }
}
try {
  ItSupport.withBuildLog(basedir) {
    def gv = ItSupport.goVersion(TestTools.go(rebuildGo as String))
    def label = "v1.0.0-" + gv
    def version = label.substring(1)
    def log = new File(basedir, "build.log").text
    def archives = ["linux-amd64": "demo-1.0.0.linux-amd64.${gv}.tar.gz",
                    "windows-amd64": "demo-1.0.0.windows-amd64.${gv}.zip"]
    def extras = ["demo-${label}.SHA256SUMS", "demo-${label}.rebuild-manifest.json",
                  "demo-${label}.verification-report.md"]*.toString()
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
    // 2 archives, the checksums, the manifest, the report and the POM, each with its .sha1 and .md5.
    def maven = uploads("releases")
    assert maven.size() == 6 * 3 : maven
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

    // Settings for the Maven runs below: the ITs' repository (the outer local repository), the
    // servers, and the release repository to read from.
    def settings = new File(basedir, "verify-settings.xml")
    settings.text = new File(itSettings as String).text
        .replace("@localRepositoryUrl@", new File(outerLocalRepository as String).toURI().toString())
        .replace("<profiles>", """<servers>
    <server><id>it-releases</id><username>${user}</username><password>${password}</password></server>
  </servers>
  <profiles>
    <profile>
      <id>read-back</id>
      <activation><activeByDefault>true</activeByDefault></activation>
      <repositories><repository><id>it-releases</id><url>${base}/releases</url></repository></repositories>
    </profile>""")
    def mvn = new File(itMavenHome as String, "bin/mvn").path

    // The Maven repository, read with mvn dependency:get into an empty local repository.
    def readRepo = new File(basedir, "read-back-repo")
    def read = new File(basedir, "read-back-maven")
    read.mkdirs()
    def fetch = { String classifier, String ext, String as ->
      run(basedir, [mvn, "-B", "-q", "-s", settings, "-Dmaven.repo.local=${readRepo}",
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get", "-Dtransitive=false",
                    "-Dartifact=${coordinates}:${version}:${ext}:${classifier}"])
      def f = new File(readRepo, "dev/rebuild/it/demo/${version}/demo-${version}-${classifier}.${ext}")
      assert f.isFile() : f
      new File(read, as).bytes = f.bytes
    }
    archives.each { platform, name -> fetch(platform, name.endsWith(".zip") ? "zip" : "tar.gz", name) }
    fetch("sha256sums", "txt", "checksums.txt")
    def ok = run(read, ["env", "LC_ALL=C", "sha256sum", "--ignore-missing", "--strict", "-c", "checksums.txt"])
    assert ok.readLines().sort() == archives.values().collect { "${it}: OK".toString() }.sort() : ok

    // The HTTP directory, read with curl: a flat download checked with the labelled checksums file.
    def flat = new File(basedir, "read-back-http")
    flat.mkdirs()
    (archives.values() + extras).each { name ->
      run(flat, ["curl", "-sSf", "-u", "${user}:${password}", "-o", name, "${base}/raw/demo/${name}"])
    }
    def out = run(flat, ["env", "LC_ALL=C", "sha256sum", "--strict", "-c", "demo-${label}.SHA256SUMS"])
    assert out.readLines().size() == archives.size() + extras.size() - 1 && out.readLines().every { it.endsWith(": OK") } : out

    // The records in publish/ say what is where, without credentials.
    def records = new File(basedir, "target/rebuild/v1.0.0/publish").listFiles().findAll { it.name.endsWith(".json") }
    def byDestination = records.collectEntries { [(new JsonSlurper().parse(it).destination): new JsonSlurper().parse(it)] }
    assert byDestination["maven:${base}/releases#dev.rebuild.it".toString()].items.size() == 6
    assert byDestination["http:${base}/raw/demo/".toString()].items*.reference.sort() ==
        (archives.values() + extras).collect { "${base}/raw/demo/${it}".toString() }.sort()
    records.each { assert !it.text.contains(password) && !it.text.contains(user) : it }

    // kill -9 during a publish to fresh destinations, once the first artifact is deployed; the
    // re-run sends only the rest, and no file is uploaded twice.
    def publish = [mvn, "-B", "-s", settings, "-Dmaven.repo.local=${localRepositoryPath}",
                   "-Drebuild.it.davPort=${port}", "-Pkill",
                   "dev.rebuild:rebuild-maven-plugin:${pluginVersion}:publish", "-Dtag=v1.0.0"]*.toString()
    // The servers of the other destinations too (it-raw for the plain HTTP one).
    settings.text = settings.text.replace("</servers>",
        "<server><id>it-raw</id><username>${user}</username><password>${password}</password></server></servers>")
    def child = new ProcessBuilder(publish).directory(basedir).redirectErrorStream(true).start()
    def seen = new StringBuilder()
    def reader = new BufferedReader(new InputStreamReader(child.inputStream))
    String line
    while ((line = reader.readLine()) != null) {
      seen.append(line).append('\n')
      if (line.contains("[rebuild] maven: deployed ")) {
        break
      }
    }
    assert line != null : "the publish ended before deploying anything:\n${seen}"
    // bin/mvn execs java: its pid is Maven's JVM.
    assert new ProcessBuilder(["kill", "-9", child.pid().toString()]).start().waitFor() == 0
    child.waitFor()
    assert child.exitValue() == 137 : "not killed: ${child.exitValue()}"
    def artifacts = { uploads("releases-kill").findAll { !(it ==~ /.*\.(sha1|md5) 20\d/) } }
    assert artifacts().size() in 1..5 : "killed after the first artifact: ${artifacts()}"
    run(basedir, publish)
    assert artifacts().size() == 6 && artifacts().toSet().size() == 6 : "each artifact once: ${artifacts()}"
    // A kill between an artifact and its checksum files leaves those missing (the re-run finds the
    // artifact with the same bytes and keeps it): never a checksum file twice.
    def killed = uploads("releases-kill")
    assert killed.toSet().size() == killed.size() : "uploaded twice: ${killed}"
    def rawKilled = uploads("raw-kill/demo")
    assert rawKilled.size() == archives.size() + extras.size() && rawKilled.toSet().size() == rawKilled.size() : rawKilled
    return true
  }
} finally {
  def pid = new File(basedir, "dav.pid").text.trim() as long
  ProcessHandle.of(pid).ifPresent { it.destroy() }
}
