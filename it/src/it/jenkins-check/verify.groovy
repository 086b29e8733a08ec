// The single-release check printed due, the Go and the command; the failing variants named their
// cause. Then examples/jenkins/Jenkinsfile.check runs on this machine (LocalJenkins.groovy of the
// jenkins-pipeline case evaluates the file itself): its sh step checks the releases of
// job/releases.json, the JUnit report fails the due release, and the due release starts its
// release job with TAG and GO from check.properties.
import dev.rebuild.core.testing.ItSupport
import groovy.json.JsonSlurper

ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  assert log.contains("[rebuild]   v1.0.0: DUE, published with go1.21.13") : "no verdict"
  assert log.contains("[rebuild]     Go 1.25.14, label v1.0.0-go1.25.14")
  assert log.contains("[rebuild]     mvn rebuild:release -Dtag=v1.0.0 -Dgo=1.25.14")
  def single = new File(basedir, "job/target/single/check")
  def props = new Properties()
  new File(single, "check.properties").withInputStream { props.load(it) }
  assert props.REBUILD_DUE == "true" && props.REBUILD_GO == "1.25.14" && props.REBUILD_LABEL == "v1.0.0-go1.25.14"
  // 2-5: each failure names its cause and the parameter.
  assert log.contains("Security rebuild due (rebuild.failIfDue):")
  assert log.contains("127.0.0.1:9") && log.contains("[parameter: <vulndb> / -Drebuild.vulndb]")
  assert log.contains("missing.json") && log.contains("[parameter: <goReleases> / -Drebuild.goReleases]")
  assert log.contains("'newest' is not a Go policy; use one of patch, minor, latest")
  assert !new File(basedir, "job/target/nodb/check").exists() : "no report after a database failure"

  def root = new File(basedir, "jenkins")
  root.mkdirs()
  def settings = new File(root, "settings.xml")
  settings.text = new File(itSettings as String).text
      .replace("@localRepositoryUrl@", new File(outerLocalRepository as String).toURI().toString())
  def runner = new GroovyClassLoader(getClass().classLoader)
      .parseClass(new File(localJenkinsPath as String)).getDeclaredConstructor().newInstance()
  runner.root = root
  runner.workspace = new File(basedir, "ws")
  runner.scm = new File(basedir, "job")
  runner.wrapper = new File(agentMvnwPath as String)
  runner.env = [
      IT_MAVEN_HOME: itMavenHome as String,
      IT_LOCAL_REPO: localRepositoryPath.path,
      IT_SETTINGS  : settings.path,
      IT_VULNDB    : vulndb as String,
      JAVA_HOME    : System.getProperty("java.home")]
  runner.load(new File(checkJenkinsfilePath as String))
  assert runner.model.triggers == ["H 6 * * *"]
  assert runner.agentStages()*.name == ["Check"]

  runner.run()
  assert runner.stagesRun == ["Check"]
  def sh = runner.shRuns.find { it.stage == "Check" }
  assert sh.script.contains("rebuild:check") && sh.script.contains("-Drebuild.releases=releases.json")
  assert sh.output.contains("[rebuild]   demo v1.0.0: DUE, published with go1.21.13")
  assert sh.output.contains("[rebuild]   tool v2.0.0: not due, published with go")
  assert runner.junitRuns.size() == 1
  def junit = runner.junitRuns[0]
  assert junit.files == ["target/rebuild/check/check-junit.xml"]
  assert junit.tests == 2 && junit.failures == 1 && junit.errors == 0 : junit
  assert runner.unstable : "a due rebuild makes the build unstable"
  assert runner.downstream == [[job: "rebuild-demo", wait: false, parameters: [TAG: "v1.0.0", GO: "1.25.14"]]]
  def report = new JsonSlurper().parse(new File(root, "archive/target/rebuild/check/check-report.json"))
  assert report.due == ["demo"]
  assert report.releases.find { it.name == "demo" }.rebuildLabel == "v1.0.0-go1.25.14"
  assert report.releases.find { it.name == "tool" }.status == "not_due"
  return true
}
