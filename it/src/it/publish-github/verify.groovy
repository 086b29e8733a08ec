// What a user of the release sees on the (local) GitHub after the five invocations of
// invoker.properties, read with curl and checked with sha256sum -c; then the local GitHub stops.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.PublishIt
import dev.rebuild.core.testing.TestTools
import groovy.json.JsonSlurper

def base = "http://127.0.0.1:${githubPort}"
def api = "${base}/api/v3/repos/demo/demo"
try {
  ItSupport.withBuildLog(basedir) {
    def gv = ItSupport.goVersion(TestTools.go(rebuildGo as String))
    def label = "v1.0.0-" + gv
    def log = new File(basedir, "build.log").text
    def json = { String url -> new JsonSlurper().parseText(ItSupport.run(basedir, ["curl", "-sSf", url])) }
    def commit = ItSupport.run(new File(basedir, "repo"), ["git", "rev-parse", "v1.0.0^{commit}"]).trim()
    // The archives, the provenance, SBOMs and VEX of dist/ (as the committed manifest lists them),
    // and the labelled checksums, manifest and report.
    def ours = PublishIt.demoArchives(gv).values() + PublishIt.distDocuments(basedir) + PublishIt.labelledFiles(label)

    // Invocation 1: attached to v1.0.0 (no <mode>: the release allowed it), the original's file kept.
    assert log.contains("attaching (set <mode> to choose)")
    def original = json("${api}/releases/tags/v1.0.0")
    assert original.assets*.name.sort() == (ours + ["demo-1.0.0.original-notes.txt"]).sort()
    original.assets.findAll { it.name in ours }.each { assert it.label == it.name + " (security rebuild)" }

    // A flat download of every asset of each release, checked by sha256sum -c.
    def check = { release, String dirName ->
      def into = new File(basedir, dirName)
      into.mkdirs()
      release.assets.each { a -> ItSupport.run(into, ["curl", "-sSfL", "-o", a.name, a.browser_download_url]) }
      def out = ItSupport.run(into, ["env", "LC_ALL=C", "sha256sum", "--strict", "-c", "demo-${label}.SHA256SUMS"])
      assert out.readLines().count { it.endsWith(": OK") } == ours.size() - 1 : out
    }
    check(original, "download-attach")

    // Invocations 2 and 3 uploaded nothing: every file was uploaded once per release.
    assert log.count("github:demo/demo: uploaded ") == 2 * ours.size()
    assert log.contains("github:demo/demo: demo-${label}.SHA256SUMS is there with the same sha256, skipped")

    // Invocation 4: the refused token, named with its fix; nothing of it in any log or file.
    assert log.contains("GitHub refused the token")
    assert log.contains("[parameter: <publish><github><serverId>]")

    // Invocation 5: a new release for the label at the commit of v1.0.0, published after its assets.
    def rebuilt = json("${api}/releases/tags/${label}")
    assert !rebuilt.draft
    assert rebuilt.assets*.name.sort() == ours.sort()
    assert rebuilt.body.contains("sha256sum -c demo-${label}.SHA256SUMS")
    assert rebuilt.body.contains(gv)
    assert json("${api}/git/ref/tags/${label}").object.sha == commit
    check(rebuilt, "download-release")

    // The token, plain or encrypted, is in no file the rebuild wrote and not in the log.
    def encrypted = new File(basedir, "encrypted-token.txt").text.trim()
    PublishIt.assertNowhere(basedir, [PublishIt.GITHUB_TOKEN, "ghp_refused-by-github", encrypted], [log])
    return true
  }
} finally {
  PublishIt.stopGitHub(githubPort as int)
}
