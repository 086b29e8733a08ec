import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools

// A failed check shows the tail of build.log (what the plugin said) with it.
ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  // 1. A release line resolves to its newest release, which is installed or cached (setup.groovy):
  // nothing is downloaded, and the plan names where that toolchain is.
  def goroot = TestTools.go("1.22")
  def version = ItSupport.goVersion(goroot)
  assert log.contains("[rebuild] Go 1.22 is ${version}")
  def origin = log.readLines().find { it.contains("[rebuild]   go:      ") }
  assert origin != null
  assert origin.contains("go:      ${version} from ")
  assert origin.contains("installed: ${goroot}") || origin.contains("(cached in ${goroot})")
  assert !log.contains("[rebuild] downloading")
  // 2, 3. Offline: the missing toolchain is named with how to get it, and nothing is fetched.
  assert log.count("go1.23.4") >= 2
  assert (log =~ /(?i)offline/).count >= 2
  assert !new File(basedir, "target/toolchains/go1.23.4.linux-amd64").exists()
  return true
}
