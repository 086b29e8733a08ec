import dev.rebuild.core.testing.ItSupport

// A failed check shows the tail of build.log (what the plugin said) with it.
ItSupport.withBuildLog(basedir) {
  def log = new File(basedir, "build.log").text
  assert log.contains("Bad <archive> configuration: unknown placeholder {go_version} in 'demo-{version}.{os}-{arch}.go{go_version}'; known placeholders: {arch}, {goVersion}, {goarch}, {os}, {project}, {tag}, {version}")
  assert !new File(basedir, "target/rebuild").exists()
  return true
}
