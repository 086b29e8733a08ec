package dev.rebuild.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real Go toolchains, real git repositories and real processes for tests. The toolchains come from
 * {@link TestTools}; a missing tool fails the test with the step that gets it; nothing is skipped.
 */
public final class GoFixtures {

  /** The pinned Go 1.21 ({@link TestTools#GO_1_21}): the version an old release was built with. */
  public static final String GO_1_21 = TestTools.GO_1_21;

  /** The pinned Go 1.22 ({@link TestTools#GO_1_22}): the version the rebuild tests rebuild with. */
  public static final String GO_1_22 = TestTools.GO_1_22;

  private GoFixtures() {}

  /**
   * The GOROOT of the pinned Go {@code version} ({@link #GO_1_21}, {@link #GO_1_22}), provided by
   * {@link TestTools#go}, or a failed test naming how to get it.
   */
  public static Path requireGo(String version) {
    return TestTools.go(version);
  }

  /** The GOROOT of the machine's Go (the {@code go} on PATH), the independent reader. */
  public static Path machineGo() {
    return TestTools.machineGo();
  }

  /** The output of a process that must succeed. */
  public static String run(Path dir, Map<String, String> env, String... command) {
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        fail(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
      }
      return text;
    } catch (IOException e) {
      return fail("cannot run " + command[0] + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  public static String git(Path dir, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "git",
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false"));
    cmd.addAll(List.of(args));
    return run(
        dir,
        Map.of(
            "GIT_COMMITTER_DATE", "2024-03-01T12:00:00Z",
            "GIT_AUTHOR_DATE", "2024-03-01T12:00:00Z"),
        cmd.toArray(String[]::new));
  }

  /**
   * A git repository holding the module {@code example.com/demo} with two commands ({@code
   * cmd/hello}, {@code cmd/greet}) that print the {@code main.version} {@code -ldflags -X} sets,
   * tagged {@code v1.0.0}, with one more commit after the tag (it prints "after the tag") that a
   * rebuild must not contain.
   *
   * @return the commit the tag names
   */
  public static String demoRepository(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("cmd/hello"));
    Files.createDirectories(dir.resolve("cmd/greet"));
    Files.writeString(dir.resolve("go.mod"), "module example.com/demo\n\ngo 1.21\n");
    Files.writeString(dir.resolve("cmd/hello/main.go"), mainSource("hello", "at the tag"));
    Files.writeString(dir.resolve("cmd/greet/main.go"), mainSource("greet", "at the tag"));
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "demo 1.0.0");
    git(dir, "tag", "-a", "v1.0.0", "-m", "release 1.0.0");
    String commit = git(dir, "rev-parse", "HEAD").trim();
    git(dir, "tag", "v0.9.0", "HEAD");
    Files.writeString(dir.resolve("cmd/hello/main.go"), mainSource("hello", "after the tag"));
    git(dir, "commit", "-q", "-am", "work after the release");
    return commit;
  }

  static String mainSource(String name, String note) {
    return "package main\n\nimport \"fmt\"\n\nvar version = \"dev\"\n\nfunc main() {\n"
        + "\tfmt.Println(\""
        + name
        + " \" + version + \" ("
        + note
        + ")\")\n}\n";
  }

  /** Where {@code needle} first stands in {@code hay} at or after {@code from}; -1 when nowhere. */
  public static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
