package dev.rebuild.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class in a JVM of its own that pauses at an event (it writes {@code marker}
 * and blocks), then kills it with {@code kill -9}: a crash at an exact point.
 */
public final class ChildKill {

  private ChildKill() {}

  /**
   * As {@link #killAt(Class, List, String, Path, Path, Duration, List)}, killing the child itself
   * when this fails.
   */
  public static String killAt(
      Class<?> main, List<String> args, String regex, Path marker, Path log, Duration wait)
      throws IOException, InterruptedException {
    List<Process> children = new ArrayList<>();
    try {
      return killAt(main, args, regex, marker, log, wait, children);
    } finally {
      for (Process p : children) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Runs {@code main} with {@code args}, then {@code regex} and {@code marker}; waits for the
   * marker, kills the child with {@code kill -9} and waits for it to die.
   *
   * @param children gets the child, for the caller to clean up if this fails
   * @return the event it paused at (the marker's content)
   */
  public static String killAt(
      Class<?> main,
      List<String> args,
      String regex,
      Path marker,
      Path log,
      Duration wait,
      List<Process> children)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    command.add(regex);
    command.add(marker.toString());
    Process child =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    children.add(child);
    long until = System.nanoTime() + wait.toNanos();
    while (!Files.exists(marker)) {
      if (!child.isAlive()) {
        throw new AssertionError(
            "the child exited "
                + child.exitValue()
                + " without pausing at /"
                + regex
                + "/:\n"
                + Files.readString(log));
      }
      if (System.nanoTime() > until) {
        throw new AssertionError(
            "the child did not pause at /"
                + regex
                + "/ within "
                + wait.toSeconds()
                + " s:\n"
                + Files.readString(log));
      }
      Thread.sleep(20);
    }
    Process kill =
        new ProcessBuilder("kill", "-9", Long.toString(child.pid()))
            .redirectErrorStream(true)
            .start();
    String killOutput = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -9 " + child.pid() + ": " + killOutput);
    }
    if (!child.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the child outlived kill -9");
    }
    if (child.exitValue() != 128 + 9) {
      throw new AssertionError("the child exited " + child.exitValue() + ", not of SIGKILL");
    }
    return Files.readString(marker, StandardCharsets.UTF_8);
  }

  /**
   * In the child: writes {@code event} to {@code marker} (atomically, for the parent to see whole)
   * and blocks the calling thread for good; only {@code kill -9} ends it.
   */
  public static void pause(Path marker, String event) {
    try {
      Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
      Files.writeString(tmp, event, StandardCharsets.UTF_8);
      Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // Only kill -9 ends the pause: an interrupted run must not carry on.
      }
    }
  }
}
