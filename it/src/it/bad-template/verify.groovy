def log = new File(basedir, "build.log").text
assert log.contains("Bad <archive> configuration: unknown placeholder {go_version} in 'demo-{version}.{os}-{arch}.go{go_version}'; known placeholders: {arch}, {goVersion}, {os}, {project}, {tag}, {version}")
assert !new File(basedir, "target/rebuild").exists()
return true
