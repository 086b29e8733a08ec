import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper
import java.security.MessageDigest

// crane (TestTools, pinned) with a Docker config of its own: anonymous unless one is given.
def crane(List args, File dockerConfig = new File(basedir, "docker-anonymous")) {
  return ItSupport.crane(basedir, dockerConfig, args)
}
// The raw manifest bytes a reference resolves to, as the registry serves them, to hash.
def raw(String ref, File dockerConfig = new File(basedir, "docker-anonymous")) {
  def f = File.createTempFile("raw", ".json", new File(basedir, "target"))
  f.bytes = crane(["manifest", ref], dockerConfig)
  return f
}
def sha256 = { File f -> "sha256:" + MessageDigest.getInstance("SHA-256").digest(f.bytes).encodeHex().toString() }
def json = new JsonSlurper()

try {
  // A failed check shows the tail of build.log (what the plugin said) with it.
  ItSupport.withBuildLog(basedir) {
    def port = registryPort as String
    def registry = "127.0.0.1:${port}"
    // The Go the plugin rebuilt with (rebuild.it.go), e.g. go1.22.12; the machine's Go reads the
    // build information of the binaries (a reader independent of the rebuild).
    def gv = ItSupport.goVersion(TestTools.go(rebuildGo as String))
    def go = TestTools.machineGoCommand().toString()
    def commit = ItSupport.run(new File(basedir, "repo"), ["git", "rev-parse", "v1.0.0^{commit}"]).trim()
    def log = new File(basedir, "build.log").text
    def originalDigest = new File(basedir, "original-digest.txt").text.trim()
    def baseLayer = new File(basedir, "original-base-layer.txt").text.trim()
    def newRef = "${registry}/demo:v1.0.0-${gv}"

    // The new tag is an OCI index of both platforms, annotated with what it rebuilt.
    def indexFile = raw(newRef)
    def index = json.parse(indexFile)
    assert index.mediaType == "application/vnd.oci.image.index.v1+json"
    assert index.manifests*.platform*.architecture.sort() == ["amd64", "arm64"]
    assert index.annotations["dev.rebuild.original.digest"] == originalDigest
    assert index.annotations["org.opencontainers.image.revision"] == commit
    assert index.annotations["org.opencontainers.image.version"] == "1.0.0"

    // The original tag still is the original image.
    assert sha256(raw("${registry}/demo:v1.0.0")) == originalDigest

    // Pulled with crane (every platform, into an OCI layout): the base layer is the original's,
    // hello and greet are the rebuilt ones.
    def pulled = new File(basedir, "target/pulled")
    crane(["pull", "--format=oci", newRef, pulled.path])
    index.manifests.each { d ->
      def arch = d.platform.architecture
      def m = json.parse(new File(pulled, "blobs/sha256/" + d.digest.substring(7)))
      assert m.layers.size() == 2
      assert m.layers[0].digest == baseLayer : "base layer changed for ${arch}"
      def root = new File(basedir, "target/rootfs-${arch}")
      root.mkdirs()
      m.layers.each { l -> ItSupport.run(root, ["tar", "xzf", new File(pulled, "blobs/sha256/" + l.digest.substring(7)).path]) }
      assert new File(root, "etc/os-release").text.contains("demo base")
      ["hello", "greet"].each { b ->
        def out = ItSupport.run(root, [go, "version", "-m", "usr/local/bin/${b}"])
        assert out.startsWith("usr/local/bin/${b}: ${gv}\n") : out
        assert out.contains("\tbuild\tGOARCH=${arch}\n") : out
        assert out.contains("\tbuild\tvcs.revision=${commit}\n") : out
      }
    }
    assert ItSupport.run(basedir, ["target/rootfs-amd64/usr/local/bin/hello"]) == "hello 1.0.0\n"

    // The manifest records the image.
    def manifest = json.parse(new File(basedir, "target/rebuild/v1.0.0/rebuild-manifest.json"))
    assert manifest.images.size() == 1
    def image = manifest.images[0]
    assert image.original == "${registry}/demo:v1.0.0".toString()
    assert image.originalDigest == originalDigest
    assert image.reference == "${registry}/demo:v1.0.0-${gv}".toString()
    assert image.digest == sha256(indexFile)
    assert image.tags == ["v1.0.0-${gv}".toString()]
    assert image.layout == "images/demo"
    assert !manifest.toString().contains("pushed")
    // What was pushed is in the publish record, next to the manifest and naming it by its sha256.
    def record = json.parse(new File(basedir, "target/rebuild/v1.0.0/publish/registry_127.0.0.1_${registryPort}_demo.json"))
    assert record.destination == "registry:127.0.0.1:${registryPort}/demo".toString()
    assert "sha256:" + record.manifestSha256 == sha256(new File(basedir, "target/rebuild/v1.0.0/rebuild-manifest.json"))
    assert record.items[0].digest == image.digest
    assert record.items[0].tags == image.tags
    assert image.platforms*.platform.sort() == ["linux/amd64", "linux/arm64"]
    assert image.platforms.every { it.replacedPaths == ["/usr/local/bin/greet", "/usr/local/bin/hello"] }

    // The image's CycloneDX SBOM is an OCI referrer of its digest: distribution's registry has no
    // referrers API, so the fallback tag sha256-<hex> lists it, and oras discover finds it there.
    assert image.attached*.title == ["sbom.cdx.json"]
    assert image.attached[0].subject == image.digest
    // Its provenance (attestations/ in the tag directory) is pushed as a referrer the same way.
    def referrers = ItSupport.orasReferrers(basedir, newRef)
    assert referrers[image.attached[0].digest] == "application/vnd.cyclonedx+json"
    assert referrers.values().sort() == ["application/vnd.cyclonedx+json", "application/vnd.in-toto+json"]
    def provenanceRef = referrers.find { it.value == "application/vnd.in-toto+json" }.key
    def provenanceManifest = json.parse(crane(["manifest", "${registry}/demo@${provenanceRef}"]))
    assert provenanceManifest.subject.digest == image.digest
    def provenanceFile = new File(basedir, "target/image.intoto.jsonl")
    provenanceFile.bytes = crane(["blob", "${registry}/demo@${provenanceManifest.layers[0].digest}"])
    assert provenanceFile.bytes == new File(basedir, "target/rebuild/v1.0.0/attestations/images/demo/provenance.intoto.jsonl").bytes
    def provenance = manifest.attachments.findAll { it.image == image.reference }
    assert provenance*.kind == ["provenance"]
    assert provenance[0].subject == image.digest
    assert provenance[0].path == "attestations/images/demo/provenance.intoto.jsonl"
    def sbomManifest = json.parse(crane(["manifest", "${registry}/demo@${image.attached[0].digest}"]))
    assert sbomManifest.subject.digest == image.digest
    def sbomFile = new File(basedir, "target/image.cdx.json")
    sbomFile.bytes = crane(["blob", "${registry}/demo@${sbomManifest.layers[0].digest}"])
    assert sha256(sbomFile) == "sha256:" + image.attached[0].sha256
    def sbom = json.parse(sbomFile)
    assert sbom.bomFormat == "CycloneDX" && sbom.specVersion == "1.6"
    assert sbom.metadata.component.type == "container"
    assert sbom.metadata.component.hashes[0].content == image.digest.substring(7)
    def apps = sbom.components.findAll { it.type == "application" }
    assert apps.collect { it.name + " " + it.purl.replaceAll(/.*goarch=(\w+).*/, '$1') }.sort() ==
        ["example.com/demo/cmd/greet amd64", "example.com/demo/cmd/greet arm64",
         "example.com/demo/cmd/hello amd64", "example.com/demo/cmd/hello arm64"]
    // The binary the SBOM names at /usr/local/bin/hello (amd64) is the one crane pulled from there.
    def hello = apps.find { it.name.endsWith("/hello") && it.purl.contains("goarch=amd64") }
    assert hello.properties.find { it.name == "rebuild:path" }.value == "/usr/local/bin/hello"
    assert "sha256:" + hello.hashes[0].content == sha256(new File(basedir, "target/rootfs-amd64/usr/local/bin/hello"))
    assert sbom.components.find { it.name == "stdlib" }.version == "v" + gv.substring(2)

    // Progress in the log; the second run (same inputs) pushed nothing.
    assert log.contains("[rebuild] --- images")
    assert log.contains("[rebuild] image: pushed tag v1.0.0-${gv}")
    assert log.contains("nothing new to push")
    // Tags were set three times: by the first run, by the push to the other registry (invocation 9)
    // and by the separate publish of invocation 11.
    assert log.count("[rebuild] image: pushed tag") == 3
    // Per-phase timings and the release summary.
    assert log =~ /\[rebuild\] build phase took \d+\.\d s/
    assert log =~ /\[rebuild\] commit phase took \d+\.\d s/
    assert log =~ /\[rebuild\] publish phase took \d+\.\d s/
    assert log.contains("[rebuild] binaries  checks passed  fixed by rebuild  still present  new")

    // skipPublish: an OCI layout holding the rebuilt image (another checkout directory, so other
    // binary bytes), recorded as not pushed; the registry's tag is still the first run's.
    def layout = new File(basedir, "target/layouts/v1.0.0/images/demo")
    def skipped = json.parse(new File(basedir, "target/layouts/v1.0.0/rebuild-manifest.json")).images[0]
    assert !new File(basedir, "target/layouts/v1.0.0/publish").exists()
    def layoutIndex = json.parse(new File(layout, "index.json"))
    def named = layoutIndex.manifests.findAll { it.annotations?.get("org.opencontainers.image.ref.name") }
    assert named*.digest == [skipped.digest]
    assert named[0].annotations["org.opencontainers.image.ref.name"] == "v1.0.0-${gv}".toString()
    // The other entries are the documents attached to the image (its SBOM), as the manifest says.
    assert (layoutIndex.manifests - named)*.digest.sort() == skipped.attached*.digest.sort()
    // crane reads the layout (its image entry, every manifest and blob) and pushes it to a repository
    // of its own: the registry checks every digest; the pushed index is the layout's, byte for byte.
    def single = new File(basedir, "target/layout-single")
    ItSupport.run(basedir, ["cp", "-r", layout.path, single.path])
    new File(single, "index.json").text = groovy.json.JsonOutput.toJson([schemaVersion: 2, mediaType: layoutIndex.mediaType, manifests: named])
    crane(["push", single.path, "${registry}/layout-check:v1.0.0-${gv}"])
    def layoutRaw = raw("${registry}/layout-check:v1.0.0-${gv}")
    assert sha256(layoutRaw) == skipped.digest
    assert json.parse(layoutRaw).manifests.size() == 2
    assert sha256(raw(newRef)) == image.digest

    // Bad image configurations: each fails naming the cause, and publishes neither release files
    // nor tags.
    assert log.contains("original image ${registry}/demo:v9.9.9 not found")
    assert log.contains("[parameter: <images>]")
    assert log.contains("refusing to move the original tag ${registry}/demo:v1.0.0")
    assert log.contains("Bad <images><image><name> (image 1, original ${registry}/demo:{tag}): name is missing")
    assert log =~ /holds Go binaries that were not rebuilt: \/usr\/local\/bin\/greet \(main package example.com\/demo\/cmd\/greet, linux\/arm64\)/
    assert !new File(basedir, "target/bad/v1.0.0/SHA256SUMS").exists()
    assert !new File(basedir, "target/bad/v1.0.0/rebuild-manifest.json").exists()
    assert !new File(basedir, "target/bad/v1.0.0/dist").exists()
    def tags = new String(crane(["ls", "${registry}/demo"]), "UTF-8").readLines()*.trim().findAll { it }
    assert tags.sort() == ["sha256-" + image.digest.substring(7), "v1.0.0", "v1.0.0-${gv}".toString()]
    assert sha256(raw("${registry}/demo:v1.0.0")) == originalDigest

    // The registry that wants a password: refused without credentials, naming the fix; then pushed
    // to with the settings.xml <server> (its password encrypted), which never shows in the log.
    def auth = "127.0.0.1:${authRegistryPort}"
    assert log.contains("registry ${auth} refused access to demo (HTTP 401): no credentials for ${auth}; add a <server> with id ${auth} to settings.xml")
    def (creds, encrypted) = new File(basedir, "auth-password.txt").readLines()
    def (credUser, credPassword) = creds.split(":", 2)
    def withCreds = ItSupport.dockerConfig(new File(basedir, "docker-auth"), auth, credUser, credPassword)
    def authIndex = raw("${auth}/demo:v1.0.0-${gv}", withCreds)
    assert json.parse(authIndex).manifests*.platform*.architecture.sort() == ["amd64", "arm64"]
    def authManifest = json.parse(new File(basedir, "target/auth/v1.0.0/rebuild-manifest.json")).images[0]
    assert authManifest.reference == "${auth}/demo:v1.0.0-${gv}".toString()
    assert new File(basedir, "target/auth/v1.0.0/publish/registry_127.0.0.1_${authRegistryPort}_demo.json").exists()
    // The refused push (invocation 8) came after a commit: the re-run with credentials rebuilt the
    // same bytes and published them.
    assert log.contains("the new rebuild is byte for byte the committed one of v1.0.0")
    assert log =~ /The rebuild itself is committed in \S+auth\/v1.0.0; once the cause is fixed, publish it alone: mvn rebuild:publish -Drebuild.tagDirectory=\S+auth\/v1.0.0/

    // The phases apart (invocations 10 to 12): the committed layout, published by rebuild:publish,
    // then the publish alone again, which finds everything in place.
    def phasedDir = new File(basedir, "target/phased/v1.0.0")
    def phased = json.parse(new File(phasedDir, "rebuild-manifest.json")).images[0]
    assert phased.reference == "${registry}/phased:v1.0.0-${gv}".toString()
    def phasedRecord = json.parse(new File(phasedDir, "publish/registry_127.0.0.1_${registryPort}_phased.json"))
    assert phasedRecord.items[0].digest == phased.digest
    assert sha256(raw("${registry}/phased:v1.0.0-${gv}")) == phased.digest
    assert log.contains("skipPublish: the images stay OCI layouts in")
    assert log =~ /\[rebuild\] checked \d+ artifacts of \S+phased\/v1.0.0 against SHA256SUMS and the manifest/
    assert log.contains("${registry}/phased:v1.0.0-${gv} already is ${phased.digest} with every blob in place: nothing new to push")
    assert !log.contains(creds.split(":")[1])
    assert !log.contains(encrypted)
    return true
  }
} finally {
  // The registries setup.groovy started (children of this JVM).
  ["registry.pid", "registry-auth.pid"].each { name ->
    def pid = new File(basedir, name)
    if (pid.exists()) {
      ProcessHandle.of(pid.text.trim() as long).ifPresent { it.destroy() }
    }
  }
}
return true
