// Runs a declarative Jenkinsfile on this machine: the file itself is evaluated (it is Groovy), its
// directives build a model, and its steps run for real, one agent after the other. Only what
// examples/jenkins/Jenkinsfile and Jenkinsfile.check use is known here; anything else fails, naming
// it, so a Jenkinsfile cannot grow a step this runner silently skips.
//
// What stands in for Jenkins:
// - an agent: the one local directory `workspace` for every customWorkspace (they must all be the
//   same absolute path), deleted and checked out afresh (a copy of `scm`, plus `wrapper` as ./mvnw)
//   for every stage, as on another agent; a GOCACHE of its own for every stage;
// - parallel branches: run in turn;
// - stash/unstash: copies under root/stash/<name>/; archiveArtifacts: copies under root/archive/;
// - junit: the matched files parsed, counts recorded;
// - withCredentials/configFileProvider: the values and files the test gives, by id;
// - readProperties: the file read with java.util.Properties; build: the downstream build recorded,
//   not run; triggers: recorded;
// - sh: `sh -xe -c <script>` in the step's directory, with the agent's environment, build
//   parameters as variables and WORKSPACE; output under root/logs/.
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.util.concurrent.TimeUnit
import java.util.regex.Pattern
import javax.xml.parsers.DocumentBuilderFactory

class LocalJenkins {
  File root
  File workspace
  File scm
  File wrapper
  Map<String, String> env = [:]
  Map<String, String> params = [:]
  /** credentialsId -> [username, password] */
  Map<String, List<String>> credentials = [:]
  /** configFile fileId -> file */
  Map<String, File> configFiles = [:]

  Pipeline model
  /** Every sh step run: stage, script, exit, output. */
  List<Map> shRuns = []
  /** Every junit step: stage, files, tests, failures, errors. */
  List<Map> junitRuns = []
  List<String> stagesRun = []
  /** Every build step: job, wait and the parameters by name. */
  List<Map> downstream = []
  boolean unstable

  /** The pipeline's environment: given, build parameters, its environment block. */
  Map<String, String> pipelineEnv
  private final Map<String, String> liveEnv = [:]
  private String stage
  private int logs

  void load(File jenkinsfile) {
    model = new Pipeline()
    def binding = new Binding()
    binding.setVariable("pipeline", { Closure c -> Dsl.call(c, new PipelineDsl(model)) })
    binding.setVariable("params", params)
    binding.setVariable("env", liveEnv)
    new GroovyShell(getClass().classLoader, binding).evaluate(jenkinsfile.text, "Jenkinsfile")
    assert model.stages : "${jenkinsfile} declares no stages"
  }

  void run() {
    liveEnv.clear()
    liveEnv.putAll(env)
    liveEnv.putAll(params)
    if (model.environment != null) {
      liveEnv.putAll(Dsl.environment(model.environment))
    }
    pipelineEnv = new LinkedHashMap<>(liveEnv)
    model.stages.each { runStage(it) }
  }

  private void runStage(Stage s) {
    if (s.parallel) {
      s.parallel.each { runStage(it) }
      return
    }
    runOnAgent(s, s.name, s.steps, s.post)
  }

  /**
   * Runs {@code steps} as stage {@code name} on a fresh agent described by {@code like} (its agent
   * and environment): for the Jenkinsfile's stages, and for the one-machine run to compare with.
   */
  void runOnAgent(Stage like, String name, Closure steps, Map<String, Closure> post = [:]) {
    assert pipelineEnv != null : "run the pipeline first"
    assert like.agent?.customWorkspace : "stage '${name}' names no agent { node { customWorkspace ... } }"
    assert like.agent.customWorkspace.startsWith("/") : "stage '${name}': customWorkspace is not an absolute path"
    stage = name
    stagesRun << name
    deleteTree(workspace)
    copyTree(scm.toPath(), workspace.toPath(), { !it.startsWith("target") })
    def mvnw = new File(workspace, "mvnw")
    Files.copy(wrapper.toPath(), mvnw.toPath(), StandardCopyOption.REPLACE_EXISTING)
    mvnw.setExecutable(true)
    def gocache = new File(root, "gocache/${slug(name)}")
    deleteTree(gocache)
    gocache.mkdirs()
    liveEnv.clear()
    liveEnv.putAll(pipelineEnv)
    liveEnv.WORKSPACE = workspace.path
    liveEnv.GOCACHE = gocache.path
    if (like.environment != null) {
      liveEnv.putAll(Dsl.environment(like.environment))
    }
    Map<String, String> agentEnv = new LinkedHashMap<>(liveEnv)
    boolean ok = false
    try {
      Dsl.call(steps, new Steps(this, workspace, agentEnv))
      ok = true
    } finally {
      if (post.always) Dsl.call(post.always, new Steps(this, workspace, agentEnv))
      if (ok && post.success) Dsl.call(post.success, new Steps(this, workspace, agentEnv))
      if (!ok && post.failure) Dsl.call(post.failure, new Steps(this, workspace, agentEnv))
      def rebuild = new File(workspace, "target/rebuild")
      if (rebuild.exists()) {
        copyTree(rebuild.toPath(), new File(root, "after/${slug(name)}").toPath(), { true })
      }
    }
  }

  /** The stages that run on an agent, parallel branches included, in order. */
  List<Stage> agentStages() {
    model.stages.collectMany { it.parallel ? it.parallel : [it] }
  }

  /** The secret values given to withCredentials; no step may print them. */
  List<String> secrets() {
    credentials.values().collect { it[1] }
  }

  // --- the steps ---

  Map sh(String script, File dir, Map<String, String> stepEnv) {
    dir.mkdirs()
    def log = new File(root, String.format("logs/%02d-%s.log", ++logs, slug(stage)))
    log.parentFile.mkdirs()
    def pb = new ProcessBuilder("sh", "-xe", "-c", script).directory(dir).redirectErrorStream(true)
        .redirectOutput(log)
    pb.environment().putAll(stepEnv)
    def p = pb.start()
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly()
      throw new AssertionError("sh in stage '${stage}' did not finish within 10 minutes: ${script}")
    }
    def output = log.text
    def run = [stage: stage, script: script, exit: p.exitValue(), output: output, log: log]
    shRuns << run
    secrets().each { s ->
      assert !output.contains(s) : "sh in stage '${stage}' printed a credential (${log})"
    }
    if (p.exitValue() != 0) {
      def tail = output.readLines().findAll { !(it =~ /^\s+at /) }.takeRight(40).join("\n")
      throw new AssertionError("sh in stage '${stage}' failed (exit ${p.exitValue()}): ${script}\n"
          + "--- tail of ${log} ---\n${tail}")
    }
    return run
  }

  void stash(Map args, File dir) {
    def to = new File(root, "stash/${args.name}")
    deleteTree(to)
    def files = matching(dir, args.includes ?: "**", args.excludes)
    assert files || args.allowEmpty : "stash '${args.name}' in stage '${stage}': no file matches ${args.includes}"
    files.each { rel -> copyFile(new File(dir, rel), new File(to, rel)) }
  }

  void unstash(String name, File dir) {
    def from = new File(root, "stash/${name}")
    assert from.isDirectory() : "unstash '${name}' in stage '${stage}': no such stash"
    copyTree(from.toPath(), dir.toPath(), { true })
  }

  void archiveArtifacts(Map args, File dir) {
    def files = matching(dir, args.artifacts, args.excludes)
    assert files || args.allowEmptyArchive : "archiveArtifacts in stage '${stage}': nothing matches ${args.artifacts}"
    files.each { rel -> copyFile(new File(dir, rel), new File(root, "archive/${rel}")) }
  }

  void junit(Map args, File dir) {
    def files = matching(dir, args.testResults, null)
    assert files || args.allowEmptyResults : "junit in stage '${stage}': nothing matches ${args.testResults}"
    int tests = 0, failures = 0, errors = 0
    files.each { rel ->
      def doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(dir, rel))
      def cases = doc.getElementsByTagName("testcase")
      tests += cases.length
      for (int i = 0; i < cases.length; i++) {
        def c = cases.item(i)
        for (def n = c.firstChild; n != null; n = n.nextSibling) {
          if (n.nodeName == "failure") failures++
          if (n.nodeName == "error") errors++
        }
      }
    }
    junitRuns << [stage: stage, files: files, tests: tests, failures: failures, errors: errors]
    // As Jenkins' junit step: failed tests make the build unstable, not failed.
    unstable |= failures + errors > 0
  }

  // --- files ---

  /** Relative paths of the files under dir that match the comma-separated Ant patterns. */
  static List<String> matching(File dir, String includes, String excludes) {
    def inc = patterns(includes)
    def exc = patterns(excludes)
    if (!dir.isDirectory()) return []
    Files.walk(dir.toPath()).withCloseable { s ->
      s.filter { Files.isRegularFile(it) }
          .map { dir.toPath().relativize(it).toString().replace(File.separatorChar, '/' as char) }
          .filter { rel -> inc.any { it.matcher(rel).matches() } && !exc.any { it.matcher(rel).matches() } }
          .sorted().toList()
    }
  }

  /** Ant patterns as Jenkins reads them: ** any directories, * and ? within one name. */
  static List<Pattern> patterns(String list) {
    if (list == null || list.isBlank()) return []
    list.split(",")*.trim().findAll { it }.collect { p ->
      if (p.endsWith("/")) p += "**"
      def re = new StringBuilder()
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i)
        if (p.startsWith("**/", i)) { re << "(?:.*/)?"; i += 2 }
        else if (p.startsWith("**", i)) { re << ".*"; i += 1 }
        else if (c == '*' as char) re << "[^/]*"
        else if (c == '?' as char) re << "[^/]"
        else re << Pattern.quote(c as String)
      }
      Pattern.compile(re.toString())
    }
  }

  static void copyTree(Path from, Path to, Closure<Boolean> keep) {
    Files.walk(from).withCloseable { s ->
      s.sorted().each { Path p ->
        def rel = from.relativize(p)
        if (rel.toString() && !keep(rel)) return
        def target = to.resolve(rel.toString())
        if (Files.isDirectory(p)) {
          Files.createDirectories(target)
        } else {
          Files.createDirectories(target.parent)
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES)
        }
      }
    }
  }

  static void copyFile(File from, File to) {
    to.parentFile.mkdirs()
    Files.copy(from.toPath(), to.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES)
  }

  /** Deletes a tree, also one with read-only directories (as Go's module cache makes them). */
  static void deleteTree(File dir) {
    if (!dir.exists()) return
    Files.walk(dir.toPath()).withCloseable { s ->
      s.filter { Files.isDirectory(it) && !Files.isSymbolicLink(it) }.forEach { it.toFile().setWritable(true) }
    }
    Files.walk(dir.toPath()).withCloseable { s ->
      s.sorted(Comparator.reverseOrder()).forEach { Files.delete(it) }
    }
  }

  static String slug(String s) {
    s.replaceAll(/[^A-Za-z0-9]+/, "-").toLowerCase(Locale.ROOT)
  }
}

class Pipeline {
  List<String> parameters = []
  List<String> triggers = []
  List<String> options = []
  Closure environment
  List<Stage> stages = []
}

class Stage {
  String name
  Map<String, String> agent
  Closure environment
  Closure steps
  boolean failFast
  List<Stage> parallel = []
  Map<String, Closure> post = [:]
}

class Dsl {
  /** Runs c with its calls and names going to delegate first. */
  static Object call(Closure c, Object delegate) {
    def copy = c.rehydrate(delegate, c.owner, c.thisObject)
    copy.resolveStrategy = Closure.DELEGATE_FIRST
    copy.call()
  }

  /** An environment { NAME = "value" } block's variables. */
  static Map<String, String> environment(Closure c) {
    def e = new EnvironmentDsl()
    call(c, e)
    e.vars
  }
}

class PipelineDsl {
  final Pipeline m
  PipelineDsl(Pipeline m) { this.m = m }
  String getNone() { "none" }
  void agent(Object a) {
    assert a == "none" : "the pipeline's agent must be 'none': every stage names its own agent and workspace"
  }
  void parameters(Closure c) { Dsl.call(c, new ParametersDsl(m)) }
  void options(Closure c) { Dsl.call(c, new OptionsDsl(m)) }
  void triggers(Closure c) { Dsl.call(c, new TriggersDsl(m)) }
  void environment(Closure c) { m.environment = c }
  void stages(Closure c) { Dsl.call(c, new StagesDsl(m.stages)) }
}

class ParametersDsl {
  final Pipeline m
  ParametersDsl(Pipeline m) { this.m = m }
  void string(Map p) { m.parameters << (p.name as String) }
}

class TriggersDsl {
  final Pipeline m
  TriggersDsl(Pipeline m) { this.m = m }
  void cron(String spec) { m.triggers << spec }
}

class OptionsDsl {
  final Pipeline m
  OptionsDsl(Pipeline m) { this.m = m }
  void disableConcurrentBuilds() { m.options << "disableConcurrentBuilds" }
  void preserveStashes(Map p) { m.options << "preserveStashes" }
}

class StagesDsl {
  final List<Stage> into
  StagesDsl(List<Stage> into) { this.into = into }
  void stage(String name, Closure c) {
    def s = new Stage(name: name)
    Dsl.call(c, new StageDsl(s))
    assert s.steps != null || s.parallel : "stage '${name}' has neither steps nor parallel stages"
    into << s
  }
}

class StageDsl {
  final Stage s
  StageDsl(Stage s) { this.s = s }
  void agent(Closure c) { Dsl.call(c, new AgentDsl(s)) }
  void environment(Closure c) { s.environment = c }
  void steps(Closure c) { s.steps = c }
  void failFast(boolean b) { s.failFast = b }
  void parallel(Closure c) { Dsl.call(c, new StagesDsl(s.parallel)) }
  void post(Closure c) { Dsl.call(c, new PostDsl(s)) }
}

class AgentDsl {
  final Stage s
  AgentDsl(Stage s) { this.s = s }
  void node(Closure c) {
    s.agent = [:]
    Dsl.call(c, new NodeDsl(s.agent))
  }
}

class NodeDsl {
  final Map<String, String> agent
  NodeDsl(Map<String, String> agent) { this.agent = agent }
  void label(String l) { agent.label = l }
  void customWorkspace(String w) { agent.customWorkspace = w }
}

class PostDsl {
  final Stage s
  PostDsl(Stage s) { this.s = s }
  void always(Closure c) { s.post.always = c }
  void success(Closure c) { s.post.success = c }
  void failure(Closure c) { s.post.failure = c }
}

class EnvironmentDsl {
  final Map<String, String> vars = [:]
  def propertyMissing(String name, Object value) { vars[name] = value as String }
  def propertyMissing(String name) {
    if (vars.containsKey(name)) return vars[name]
    throw new MissingPropertyException(name, EnvironmentDsl)
  }
}

/** The steps of one stage, in directory cwd with environment stepEnv. */
class Steps {
  final LocalJenkins j
  final File cwd
  final Map<String, String> stepEnv

  Steps(LocalJenkins j, File cwd, Map<String, String> stepEnv) {
    this.j = j
    this.cwd = cwd
    this.stepEnv = stepEnv
  }

  Map sh(String script) { j.sh(script, cwd, stepEnv) }
  Map sh(Map args) { j.sh(args.script as String, cwd, stepEnv) }
  void echo(String message) { println message }
  void error(String message) { throw new AssertionError("error step: " + message) }
  void dir(String path, Closure c) { Dsl.call(c, new Steps(j, new File(cwd, path), stepEnv)) }
  void deleteDir() { LocalJenkins.deleteTree(cwd) }
  void stash(Map args) { j.stash(args, cwd) }
  void unstash(String name) { j.unstash(name, cwd) }
  void junit(Map args) { j.junit(args, cwd) }
  void archiveArtifacts(Map args) { j.archiveArtifacts(args, cwd) }

  void script(Closure c) { Dsl.call(c, this) }

  Map<String, String> readProperties(Map args) {
    def file = new File(cwd, args.file as String)
    assert file.isFile() : "readProperties: no file ${file}"
    def p = new Properties()
    file.withInputStream { p.load(it) }
    new LinkedHashMap<String, String>(p)
  }

  Map string(Map args) { args + [kind: "string"] }

  void build(Map args) {
    def params = [:]
    (args.parameters ?: []).each { Map p ->
      assert p.kind == "string" : "build: only string parameters are known here, not ${p}"
      params[p.name as String] = p.value as String
    }
    j.downstream << [job: args.job as String, wait: args.wait, parameters: params]
  }

  Map usernamePassword(Map args) { args + [kind: "usernamePassword"] }
  Map configFile(Map args) { args + [kind: "configFile"] }

  void withCredentials(List bindings, Closure c) {
    def more = [:]
    bindings.each { Map b ->
      assert b.kind == "usernamePassword" : "withCredentials: only usernamePassword is known here, not ${b}"
      def pair = j.credentials[b.credentialsId as String]
      assert pair : "withCredentials: the test gave no credentials with id '${b.credentialsId}'"
      more[b.usernameVariable as String] = pair[0]
      more[b.passwordVariable as String] = pair[1]
    }
    Dsl.call(c, new Steps(j, cwd, stepEnv + more))
  }

  void configFileProvider(List files, Closure c) {
    def more = [:]
    files.each { Map f ->
      def file = j.configFiles[f.fileId as String]
      assert file : "configFileProvider: the test gave no managed file with id '${f.fileId}'"
      more[f.variable as String] = file.path
    }
    Dsl.call(c, new Steps(j, cwd, stepEnv + more))
  }
}
