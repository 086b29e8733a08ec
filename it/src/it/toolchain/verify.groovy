def log = new File(basedir, "build.log").text
// 1. A release line resolves to its newest release, which is installed: nothing is downloaded.
assert log.contains("[rebuild] Go 1.22 is go1.22.12")
assert log.contains("[rebuild]   go:      go1.22.12 from installed: /usr/lib/go-1.22")
assert !log.contains("[rebuild] downloading")
// 2, 3. Offline: the missing toolchain is named with how to get it, and nothing is fetched.
assert log.count("go1.23.4") >= 2
assert (log =~ /(?i)offline/).count >= 2
assert !new File(basedir, "target/toolchains/go1.23.4.linux-amd64").exists()
return true
