package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real tools the tests check against (crane, tar, go). */
public final class Cmd {
  private Cmd() {}

  public record Result(int exit, String out, String err) {}

  static Path require(String path, String install) {
    Path p = Path.of(path);
    if (!Files.isExecutable(p)) {
      fail(path + " is missing: " + install);
    }
    return p;
  }

  static Result run(List<String> command, Path dir, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command);
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      if (env != null) {
        pb.environment().clear();
        pb.environment().putAll(env);
      }
      Path out = Files.createTempFile("cmd", ".out");
      Path err = Files.createTempFile("cmd", ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("timed out: " + command);
      }
      Result r =
          new Result(
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return r;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs and fails the test on a non-zero exit. */
  static String ok(List<String> command, Path dir, Map<String, String> env) {
    Result r = run(command, dir, env);
    if (r.exit() != 0) {
      fail(String.join(" ", command) + " failed (" + r.exit() + "):\n" + r.err() + r.out());
    }
    return r.out();
  }

  static String ok(String... command) {
    return ok(List.of(command), null, null);
  }
}
