// Parts and merge: the merged tag directory is the one-machine run's, byte for byte; parts that
// disagree are refused, naming the part and the field, and nothing is committed by them.
import dev.rebuild.core.testing.ItSupport
import groovy.json.JsonSlurper

def tagDir = new File(basedir, "target/rebuild/v1.0.0")
def parts = new File(basedir, "target/rebuild/parts/v1.0.0")
ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  // Each part describes itself.
  def part = new JsonSlurper().parse(new File(parts, "linux-amd64+linux-arm64/part.json"))
  assert part.tag == "v1.0.0"
  assert part.targets == ["linux/amd64", "linux/arm64"]
  assert part.recipe.targets == ["linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"]
  assert part.recipeSha256 ==~ /[0-9a-f]{64}/
  assert part.paths.checkout == new File(tagDir, "src").canonicalPath
  assert part.files.keySet().any { it.startsWith("dist/demo-1.0.0.linux-amd64.go") }
  assert part.files.keySet().any { it == "bin/linux-arm64/hello" }

  // Invocation 3: a target left out. Invocation 5: a target in two parts. Invocation 7: the
  // merge's recipe is not the parts'.
  assert log.contains("no part builds windows/amd64 (the parts have darwin/arm64, linux/amd64, linux/arm64)")
  assert log =~ /the target linux\/amd64 is in two parts: \S+linux-amd64\+linux-arm64 and \S+linux-amd64\+windows-amd64/
  assert log =~ /part \S+ was built with another recipe than this merge's configuration \(field recipe/
  assert log.contains("[parameter: <parts> / -Drebuild.parts]")

  // Invocation 8 merged; invocation 9, one machine building every target, made the same bytes.
  assert log =~ /\[rebuild\] merge phase took \d+\.\d s/
  assert log.contains("[rebuild] the new rebuild is byte for byte the committed one of v1.0.0")
  def sums = new File(tagDir, "SHA256SUMS").readLines()
  // The four archives, then their provenance and SBOMs (and a VEX when the verification found
  // vulnerabilities fixed): the manifest's artifacts first, its attachments after them.
  assert sums.count { !it.endsWith(".intoto.jsonl") && !it.endsWith(".openvex.json") && !it.endsWith(".cdx.json") } == 4
  assert sums.count { it.endsWith(".intoto.jsonl") } == 4
  assert sums.count { it.endsWith(".cdx.json") } == 4
  def check = new String(ItSupport.exec(new File(tagDir, "dist"), ["sha256sum", "-c", "../SHA256SUMS"], [:]), "UTF-8")
  assert check.contains("demo-1.0.0.windows-amd64.go") && !check.contains("FAILED")
  def manifest = new JsonSlurper().parse(new File(tagDir, "rebuild-manifest.json"))
  assert manifest.recipe.targets.size() == 4
  assert manifest.artifacts*.name == sums.collect { it.substring(66) }.take(4)
  assert manifest.attachments*.path.findAll { it.startsWith("dist/") }*.substring(5) == sums.collect { it.substring(66) }.drop(4)
  return true
}
