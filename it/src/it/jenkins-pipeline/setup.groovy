// The Go project's repository (tag v1.0.0) that job/pom.xml names as its source, and the Go that
// rebuilds it (it/pom.xml's rebuild.it.go) provisioned by core's TestTools: installed, cached or
// downloaded by the project's own verified download.
import dev.rebuild.core.testing.ItSupport
import dev.rebuild.core.testing.TestTools

TestTools.go(rebuildGo as String)
ItSupport.exec(basedir, ["bash", "${demoDir}/make-release.sh", new File(basedir, "repo").path], [:])
// Invoker filters a case's own pom.xml only; job/pom.xml is the repository every agent checks out.
def pom = new File(basedir, "job/pom.xml")
pom.text = pom.text.replace("@project.version@", pluginVersion as String)
return true
