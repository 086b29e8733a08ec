// The project's repository (tag v1.0.0), a real registry on 127.0.0.1 and, in it, the "original"
// release image demo:v1.0.0: two platforms, a base layer and a layer with hello and greet built
// by Go 1.21 from the tag. The registry (distribution's), crane and the Go toolchain come from
// core's TestTools: pinned, verified, built or downloaded into ~/.cache/rebuild on first use.
import at.favre.lib.crypto.bcrypt.BCrypt
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonOutput
import java.security.MessageDigest

def registryBinary = TestTools.tool("registry")
def originalGoCommand = TestTools.goCommand(originalGo as String)
// crane without credentials (an empty Docker config of its own).
def anonymous = ItSupport.dockerConfig(new File(basedir, "docker-anonymous"), null, null, null)

def repo = new File(basedir, "repo")
def p = ["bash", "${demoDir}/make-release.sh", repo.path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"

// Two registries, on the ports it/pom.xml reserved: an open one and one that wants a password
// (htpasswd, bcrypt). verify.groovy stops both.
def startRegistry = { String name, String port, String auth ->
  def regDir = new File(basedir, name)
  regDir.mkdirs()
  new File(regDir, "config.yml").text = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${new File(regDir, 'data')}
http:
  addr: 127.0.0.1:${port}
""" + auth
  def registry = new ProcessBuilder(registryBinary.toString(), "serve", new File(regDir, "config.yml").path)
      .redirectErrorStream(true).redirectOutput(new File(regDir, "registry.log")).start()
  new File(basedir, "${name}.pid").text = "${registry.pid()}\n"
  // verify.groovy stops it; should that never run (a failed setup or invocation), the end of this
  // JVM does.
  Runtime.runtime.addShutdownHook(new Thread({ registry.destroy() }))
  for (int i = 0; i < 150; i++) {
    try {
      def c = new URL("http://127.0.0.1:${port}/v2/").openConnection()
      c.connectTimeout = 200
      if (c.responseCode in [200, 401]) return
    } catch (IOException e) {
      assert registry.alive : "the registry exited:\n" + new File(regDir, "registry.log").text
      Thread.sleep(200)
    }
  }
  assert false : "the registry did not listen on 127.0.0.1:${port}"
}
def port = registryPort as String
startRegistry("registry", port, "")
def user = "rebuild-ci"
def password = "s3cret-Pw-42"
// The registry accepts bcrypt hashes only.
def hash = BCrypt.withDefaults().hashToString(4, password.toCharArray())
def authDir = new File(basedir, "registry-auth")
authDir.mkdirs()
new File(authDir, "htpasswd").text = "${user}:${hash}\n"
startRegistry("registry-auth", authRegistryPort as String, """auth:
  htpasswd:
    realm: rebuild-it
    path: ${new File(authDir, 'htpasswd')}
""")

// The settings.xml of invocation 9 (invoker.properties): the IT settings plus a <server> whose id
// is the registry, its password encrypted with Maven's own -emp/-ep (the Maven running this build,
// whatever is on PATH).
def secDir = new File(buildDirectory as String, "release-images-auth")
secDir.mkdirs()
def security = new File(secDir, "settings-security.xml")
security.text = "<settingsSecurity><master>${ItSupport.mavenEncrypt(basedir, security, '--encrypt-master-password', 'master-Pw-7')}</master></settingsSecurity>\n"
def encrypted = ItSupport.mavenEncrypt(basedir, security, '--encrypt-password', password)
new File(basedir, "auth-password.txt").text = "${user}:${password}\n${encrypted}\n"
new File(secDir, "settings.xml").text = ItSupport.settingsXml("""\
    <server>
      <id>127.0.0.1:${authRegistryPort}</id>
      <username>${user}</username>
      <password>${encrypted}</password>
    </server>
""")

// The original binaries: Go 1.21 at the tag, as the project's release did.
def src = new File(basedir, "original-src")
ItSupport.run(basedir, ["git", "clone", "-q", repo.path, src.path])
ItSupport.run(src, ["git", "checkout", "-q", "v1.0.0"])
def sha256 = { File f -> MessageDigest.getInstance("SHA-256").digest(f.bytes).encodeHex().toString() }
def layout = new File(basedir, "original-oci")
def blobs = new File(layout, "blobs/sha256")
blobs.mkdirs()
def blob = { byte[] bytes ->
  def hex = MessageDigest.getInstance("SHA-256").digest(bytes).encodeHex().toString()
  new File(blobs, hex).bytes = bytes
  return [digest: "sha256:" + hex, size: bytes.length]
}
// A gzip layer of dir's files, the same bytes on every run; returns descriptor and diff_id.
def layer = { File dir ->
  def tar = new File(dir.path + ".tar")
  ItSupport.run(dir, ["tar", "--sort=name", "--mtime=@1709294400", "--owner=0", "--group=0", "--numeric-owner",
            "-cf", tar.path, "."])
  def gz = new File(tar.path + ".gz")
  ItSupport.run(dir, ["bash", "-c", "gzip -n -c '${tar.path}' > '${gz.path}'"])
  def d = blob(gz.bytes)
  return [desc: [mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d.digest, size: d.size],
          diffId: "sha256:" + sha256(tar)]
}
def baseDir = new File(basedir, "original-layers/base")
new File(baseDir, "etc").mkdirs()
new File(baseDir, "etc/os-release").text = "NAME=\"demo base\"\nID=demo\n"
def base = layer(baseDir)
def manifests = []
["amd64", "arm64"].each { arch ->
  def binDir = new File(basedir, "original-layers/${arch}/usr/local/bin")
  binDir.mkdirs()
  ItSupport.run(src, [originalGoCommand, "build", "-ldflags", "-s -w -X main.version=1.0.0", "-o", binDir.path + "/", "./cmd/..."],
      [GOOS: "linux", GOARCH: arch, CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: ""])
  def bins = layer(new File(basedir, "original-layers/${arch}"))
  def config = JsonOutput.toJson([
      architecture: arch, os: "linux",
      config: [Entrypoint: ["/usr/local/bin/hello"]],
      rootfs: [type: "layers", diff_ids: [base.diffId, bins.diffId]],
      history: [[created_by: "demo base"], [created_by: "COPY hello greet /usr/local/bin/"]]]).bytes
  def c = blob(config)
  def m = blob(JsonOutput.toJson([
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: [mediaType: "application/vnd.oci.image.config.v1+json", digest: c.digest, size: c.size],
      layers: [base.desc, bins.desc]]).bytes)
  manifests << [mediaType: "application/vnd.oci.image.manifest.v1+json", digest: m.digest, size: m.size,
                platform: [architecture: arch, os: "linux"]]
}
def index = blob(JsonOutput.toJson([schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
                                     manifests: manifests]).bytes)
new File(layout, "oci-layout").text = '{"imageLayoutVersion":"1.0.0"}'
new File(layout, "index.json").text = JsonOutput.toJson([schemaVersion: 2, manifests: [
    [mediaType: "application/vnd.oci.image.index.v1+json", digest: index.digest, size: index.size,
     annotations: ["org.opencontainers.image.ref.name": "v1.0.0"]]]])

// crane pushes the layout's one entry (the index) byte for byte; reads back what the registry serves.
ItSupport.crane(basedir, anonymous, ["push", layout.path, "127.0.0.1:${port}/demo:v1.0.0"])
def raw = new File(basedir, "original-index.json")
raw.bytes = ItSupport.crane(basedir, anonymous, ["manifest", "127.0.0.1:${port}/demo:v1.0.0"])
def pushed = "sha256:" + sha256(raw)
new File(basedir, "original-digest.txt").text = pushed + "\n"
new File(basedir, "original-base-layer.txt").text = base.desc.digest + "\n"
return true
