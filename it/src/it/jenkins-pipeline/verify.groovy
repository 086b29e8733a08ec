// Runs examples/jenkins/Jenkinsfile on this machine (LocalJenkins.groovy evaluates the file itself,
// so the two cannot drift apart): each parallel branch builds its part on a fresh agent with a
// GOCACHE of its own, the parts travel by stash/unstash, one agent merges, another publishes. Then a
// one-machine rebuild:release of all targets runs in the same workspace path, and the merged
// release must equal it byte for byte.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import java.nio.file.Files

ItSupport.withBuildLog(basedir) {
  def tag = "v1.0.0"
  def log = new File(basedir, "build.log").text
  if (basedir.path.contains("it-maven39")) {
    assert log.contains("Apache Maven 3.9.") : "not run on Maven 3.9"
  } else {
    assert log.contains("Apache Maven 3.8.7") : "not run on Maven 3.8.7"
  }
  def goroot = TestTools.go(rebuildGo as String)
  def gv = ItSupport.goVersion(goroot)

  // The ITs' settings for the nested Maven runs, and the managed settings.xml the Publish stage
  // asks configFileProvider for: the same plus a <server> that takes its credentials from the
  // environment, as the Jenkinsfile's comment describes.
  def root = new File(basedir, "jenkins")
  root.mkdirs()
  def settingsText = new File(itSettings as String).text
      .replace("@localRepositoryUrl@", new File(outerLocalRepository as String).toURI().toString())
  def settings = new File(root, "settings.xml")
  settings.text = settingsText
  def managed = new File(root, "managed-settings.xml")
  managed.text = settingsText.replace("</settings>", """  <servers>
    <server>
      <id>registry.example.org</id>
      <username>\${env.REGISTRY_USER}</username>
      <password>\${env.REGISTRY_PASSWORD}</password>
    </server>
  </servers>
</settings>""")
  def password = "Pw-" + UUID.randomUUID()

  def runner = new GroovyClassLoader(getClass().classLoader)
      .parseClass(new File(basedir, "LocalJenkins.groovy")).getDeclaredConstructor().newInstance()
  runner.root = root
  runner.workspace = new File(basedir, "ws")
  runner.scm = new File(basedir, "job")
  runner.wrapper = new File(basedir, "agent-mvnw")
  runner.env = [
      IT_MAVEN_HOME    : itMavenHome as String,
      IT_LOCAL_REPO    : localRepositoryPath.path,
      IT_SETTINGS      : settings.path,
      IT_VULNDB        : vulndb as String,
      REBUILD_IT_GOROOT: goroot.toString(),
      JAVA_HOME        : System.getProperty("java.home")]
  runner.params = [TAG: tag, GO: rebuildGo as String]
  runner.credentials = ["rebuild-registry": ["rebuild-ci", password]]
  runner.configFiles = ["rebuild-maven-settings": managed]
  def jenkinsfile = new File(jenkinsfilePath as String)
  runner.load(jenkinsfile)

  // The job asks for the tag and the Go; every agent works in one absolute workspace path.
  assert runner.model.parameters == ["TAG", "GO"]
  def agents = runner.agentStages()
  assert agents*.name == ["linux", "darwin and windows", "Merge", "Publish"]
  assert agents*.agent*.customWorkspace.unique().size() == 1 : agents*.agent
  assert runner.model.options.containsAll(["disableConcurrentBuilds", "preserveStashes"])

  long start = System.nanoTime()
  runner.run()
  println "[jenkins-pipeline] the Jenkinsfile's stages took ${(System.nanoTime() - start).intdiv(1_000_000_000)} s"
  assert runner.stagesRun == ["linux", "darwin and windows", "Merge", "Publish"]
  assert !runner.unstable

  // The branches build exactly the release's targets (the plan of the invocation), each once.
  def planned = (log =~ /\[rebuild\]   target (\S+): /).collect { it[1] }
  assert planned.size() == 4 : log
  def branchRuns = runner.shRuns.findAll { it.stage in ["linux", "darwin and windows"] }
  def built = branchRuns.collectMany { (it.script =~ /-Drebuild\.targets=(\S+)/)[0][1].split(",") as List }
  assert built.sort() == planned.sort()
  branchRuns.each { r ->
    assert r.output.contains("in ${runner.workspace}/target/rebuild/parts/${tag}/") : r.log
    // Each agent compiled in a GOCACHE of its own, which it filled.
    assert new File(root, "gocache/${runner.slug(r.stage)}").list().length > 0 : r.stage
  }
  // Each stash holds its own branch's part only: every agent started from an empty workspace.
  ["part-linux": "linux-amd64+linux-arm64", "part-darwin-windows": "darwin-arm64+windows-amd64"].each { name, part ->
    assert new File(root, "stash/${name}/target/rebuild/parts/${tag}").list() == [part] as String[] : name
  }

  // The merge verified and committed; Jenkins gets the JUnit results and the reports.
  def merge = runner.shRuns.find { it.stage == "Merge" }
  assert merge.output.contains("[rebuild] committed ${runner.workspace}/target/rebuild/${tag}")
  assert runner.junitRuns.size() == 1
  def junit = runner.junitRuns[0]
  assert junit.files == ["target/rebuild/${tag}/verification/verify-junit.xml".toString()]
  assert junit.tests >= 8 && junit.failures == 0 && junit.errors == 0 : junit
  def archive = new File(root, "archive/target/rebuild/${tag}")
  ["SHA256SUMS", "rebuild-manifest.json", "verification-report.md", "verification/verify-junit.xml",
   "verification/verify-report.json"].each { assert new File(archive, it).isFile() : it }

  // Publish ran on its own agent from the stash, checked the release and had no image to push;
  // the registry password never showed (LocalJenkins checks every step's output for it).
  def publish = runner.shRuns.find { it.stage == "Publish" }
  assert publish.exit == 0
  assert publish.output.contains("[rebuild] checked 4 artifacts of ${runner.workspace}/target/rebuild/${tag}")
  assert publish.output.contains("[rebuild] nothing to publish: the release has no image")
  assert publish.output.contains("BUILD SUCCESS")
  def stashed = runner.matching(new File(root, "stash/release"), "**", null)
  assert stashed.contains("target/rebuild/${tag}/rebuild-manifest.json".toString())
  assert !stashed.any { it.contains("/src/") || it.contains("/work/") } : stashed

  // One machine, all targets, the same workspace path, a fresh agent and GOCACHE: the branch's
  // own step without the part options.
  def partStep = branchRuns[0].script
  def whole = partStep.replaceAll(/ -Drebuild\.part=true/, "").replaceAll(/ -Drebuild\.targets=\S+/, "")
  assert whole != partStep && whole.contains("rebuild:release") && !whole.contains("rebuild.targets")
  runner.runOnAgent(agents[0], "one machine", { sh whole })
  def reference = new File(runner.workspace, "target/rebuild/${tag}")
  def merged = new File(root, "after/merge/${tag}")

  // Byte for byte: the artifacts, checksums, manifest and verification reports of the merge (as
  // committed in the Merge stage and as Jenkins archived them) and of the one-machine release.
  def dist = new File(reference, "dist").list().sort()
  def archives = ["demo-1.0.0.darwin-arm64.${gv}.tar.gz", "demo-1.0.0.linux-amd64.${gv}.tar.gz",
                  "demo-1.0.0.linux-arm64.${gv}.tar.gz", "demo-1.0.0.windows-amd64.${gv}.zip"]*.toString()
  // Each archive with its provenance and SBOM (and a VEX when the verification found vulnerabilities
  // fixed).
  assert dist.findAll { !it.endsWith(".openvex.json") } ==
      (archives + archives.collect { it + ".intoto.jsonl" } + archives.collect { it + ".cdx.json" }).sort()
  assert new File(merged, "dist").list().sort() == dist
  def compared = dist.collect { "dist/" + it } + ["SHA256SUMS", "rebuild-manifest.json",
      "verification-report.md", "verification/verify-junit.xml", "verification/verify-report.json"]
  compared.each { f ->
    [merged, archive].each { d ->
      assert Files.mismatch(new File(d, f).toPath(), new File(reference, f).toPath()) == -1L : "${d}/${f} differs from the one-machine ${f}"
    }
  }
  // Without -trimpath the binaries carry the workspace path and GOROOT: the rule the Jenkinsfile
  // keeps. The Go comes from the workspace's toolchain cache, unless this machine has it installed
  // (the plugin looks there first), which is then the same path for every agent too.
  def manifest = new groovy.json.JsonSlurper().parse(new File(reference, "rebuild-manifest.json"))
  assert !manifest.recipe.trimpath
  assert manifest.go.origin.startsWith("installed: ") || manifest.go.origin.contains("${runner.workspace}/.rebuild/go/") : manifest.go.origin
  return true
}
