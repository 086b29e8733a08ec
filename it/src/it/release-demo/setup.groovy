// The project's own repository: tag v1.0.0, a commit after it, and an uncommitted change.
def repo = new File(basedir, "repo")
def p = ["bash", "${demoDir}/make-release.sh", repo.path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"
new File(repo, "cmd/greet/main.go").text = "package main // uncommitted and broken: the rebuild must ignore it\n"
return true
