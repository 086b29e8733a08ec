import dev.rebuild.core.testing.TestTools

def p = ["bash", "${demoDir}/make-release.sh", new File(basedir, "repo").path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"
// The newest Go 1.22 (TestTools pins it), installed or in the default toolchain cache
// (~/.cache/rebuild/go), where the plugin looks before it downloads anything.
TestTools.go("1.22")
return true
