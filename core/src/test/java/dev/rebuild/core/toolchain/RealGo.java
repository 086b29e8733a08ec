package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real Go toolchains the tests run; a missing one fails the test with its install step. */
final class RealGo {

  static final Path GO_1_21 = Path.of("/usr/lib/go-1.21");
  static final Path GO_1_22 = Path.of("/usr/lib/go-1.22");
  static final Path LOCAL = Path.of("/usr/local/go");

  private RealGo() {}

  static Path require(Path goroot) {
    if (!Files.isExecutable(goroot.resolve("bin/go"))) {
      String fix =
          goroot.equals(LOCAL)
              ? "install Go from https://go.dev/dl/ into /usr/local/go"
              : "apt-get install -t bookworm-backports golang-"
                  + goroot.getFileName().toString().substring("go-".length())
                  + "-go";
      fail("this test needs the Go toolchain at " + goroot + ": " + fix);
    }
    return goroot;
  }
}
