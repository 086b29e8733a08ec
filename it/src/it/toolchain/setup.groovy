def p = ["bash", "${demoDir}/make-release.sh", new File(basedir, "repo").path].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : "make-release.sh failed"
return true
