// The project's repository with its tag v1.0.0.
def repo = new File(basedir, "repo")
def p = ["bash", "${demoDir}/make-release.sh", repo.path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"
return true
