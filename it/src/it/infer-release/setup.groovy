// Two original releases nobody here wrote a recipe for, built with the pinned Go 1.21: kestrel
// by GoReleaser v2 (pinned in TestTools, built from the Go module proxy) and nsq by a dist.sh
// loop like NSQ's, once plain and once with -trimpath.
import dev.rebuild.core.infer.OriginalFixtures
import dev.rebuild.core.testing.TestTools

def go121 = TestTools.go(originalGo as String)
def dir = basedir.toPath()
OriginalFixtures.kestrel(dir.resolve("kestrel"))
OriginalFixtures.goreleaser(dir.resolve("kestrel"), go121, dir.resolve("kestrel-release"))
OriginalFixtures.nsq(dir.resolve("nsq"))
OriginalFixtures.distSh(dir.resolve("nsq"), go121, dir.resolve("nsq-release"), "")
OriginalFixtures.distSh(dir.resolve("nsq"), go121, dir.resolve("nsq-trimpath-release"), "-trimpath")
return true
