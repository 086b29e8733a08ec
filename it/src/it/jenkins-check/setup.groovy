// The published releases the job watches, built here with real toolchains: demo v1.0.0 with Go 1.21
// (open to standard-library vulnerabilities of the OSV fixture that Go 1.25.9 fixes), tool v2.0.0
// with the machine's Go (none). The plugin version goes into job/pom.xml.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools

def src = new File(basedir, "src")
src.mkdirs()
new File(src, "go.mod").text = "module example.com/demo\n\ngo 1.21\n"
new File(src, "main.go").text = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"demo\") }\n"
[["demo/v1.0.0", TestTools.go("1.21")], ["tool/v2.0.0", TestTools.machineGo()]].each { dir, goroot ->
  def out = new File(basedir, "job/releases/${dir}/demo-linux-amd64")
  out.parentFile.mkdirs()
  ItSupport.exec(src, ["${goroot}/bin/go", "build", "-o", out.path, "."],
      [GOROOT: goroot.toString(), GOTOOLCHAIN: "local", GOOS: "linux", GOARCH: "amd64",
       CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false",
       GOCACHE: new File(basedir, "gocache").path])
}
def pom = new File(basedir, "job/pom.xml")
pom.text = pom.text.replace("@project.version@", pluginVersion as String)
return true
