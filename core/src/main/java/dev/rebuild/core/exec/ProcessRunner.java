package dev.rebuild.core.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs external programs (git, go). The seam tests and other implementations replace. */
public interface ProcessRunner {

  /**
   * Runs {@code command} in {@code directory} with exactly {@code environment} (not merged with
   * this process's), and waits at most {@code timeout}.
   *
   * @return the exit code and captured output; a non-zero exit is a result, not an exception
   * @throws IOException when the program cannot be started or the timeout passes
   */
  ExecResult run(
      List<String> command, Path directory, Map<String, String> environment, Duration timeout)
      throws IOException;

  /** Exit code and the captured output of one run. */
  record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /**
     * The last {@code lines} lines of stderr (or stdout if stderr is empty), for error messages.
     */
    public String tail(int lines) {
      String text = stderr.isBlank() ? stdout : stderr;
      String[] all = text.strip().split("\n");
      int from = Math.max(0, all.length - lines);
      return String.join("\n", List.of(all).subList(from, all.length));
    }
  }
}
