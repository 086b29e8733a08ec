import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools
import java.util.regex.Pattern

// A failed check shows the tail of build.log (what the plugin said) with it.
ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  def out = new File(basedir, "target/rebuild")

  // 1. Unknown tag: the closest existing tags are named.
  assert log.contains("tag 'v1.0' does not exist in") : "unknown tag"
  assert log =~ /closest existing tags: (v1.0.0, v1.0.1|v1.0.1, v1.0.0)/
  assert log.contains("Pass an existing tag with -Dtag=<tag>.")

  // 2. Go not installed: what was found is listed (at least the machine's Go on PATH).
  def machineGo = Pattern.quote(TestTools.machineGoVersion())
  def machineGoroot = Pattern.quote(TestTools.machineGo().toRealPath().toString())
  assert log =~ /(?s)1\.19\.99.*Toolchains found:.*${machineGo}\s+installed: ${machineGoroot}/ : "missing Go"
  assert log.contains("[parameter: -Dgo]")

  // 3. A target that does not compile: go's own error, and no checksums or manifest claim success.
  assert log.contains("[rebuild] build windows/amd64 FAILED:")
  assert log.contains("windows.go:5")
  assert log.contains("1 of 2 targets failed to build; nothing was packaged or checksummed.")
  assert !new File(out, "v1.0.1/SHA256SUMS").exists()
  assert !new File(out, "v1.0.1/rebuild-manifest.json").exists()
  assert !new File(out, "v1.0.1/dist").exists()

  // 4. Malformed target.
  assert log.contains("Bad <targets> / -Drebuild.targets: malformed target 'linux/amd65': unknown GOARCH 'amd65'")

  // 5. Unwritable output directory.
  assert log.contains("cannot write to the output directory")
  assert log.contains("Set rebuild.outputDirectory (<outputDirectory>) to a writable directory.")

  // 6. A source that is not a git repository.
  assert log.contains("is not a git repository")
  assert log.contains("[parameter: <source> / -Drebuild.source]")

  // 7. Unknown placeholder.
  assert log.contains("Bad <ldflags> / -Drebuild.ldflags: unknown placeholder {verison}")

  // 8. Vulnerabilities a released Go fixes remain in the rebuild's Go: the default gate refuses.
  def v = Pattern.quote(ItSupport.goVersion(TestTools.go(rebuildGo as String)).substring(2))
  assert log.contains("vulnerabilities remain in the rebuild (failOn=fixable); nothing was committed:")
  assert log =~ /demo-1\.0\.0\.linux-amd64\.go${v}\.tar\.gz!demo-1\.0\.0\.linux-amd64\.go${v}\/bin\/hello: GO-\d{4}-\d+ in stdlib ${v} \(fixed in go1\.\d+\.\d+\)/
  assert log.contains("[parameter: <failOn> / -Drebuild.failOn]")

  // 9. A recipe that does not match the original: the differences are listed.
  assert log.contains("the rebuild differs from what was asked for or from the original release in more than the Go version")
  assert log.contains("hello: setting -ldflags: -s -w -X main.version=1.0.0 -> -s")

  // Nothing of v1.0.0 was published by any of these runs.
  assert !new File(out, "v1.0.0/SHA256SUMS").exists()
  assert !new File(out, "v1.0.0/dist").exists()
  return true
}
