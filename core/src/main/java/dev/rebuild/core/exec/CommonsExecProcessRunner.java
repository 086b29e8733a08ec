package dev.rebuild.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/** {@link ProcessRunner} on Apache Commons Exec. */
public final class CommonsExecProcessRunner implements ProcessRunner {

  @Override
  public ExecResult run(
      List<String> command, Path directory, Map<String, String> environment, Duration timeout)
      throws IOException {
    CommandLine line = new CommandLine(command.get(0));
    for (String arg : command.subList(1, command.size())) {
      line.addArgument(arg, false);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
    DefaultExecutor executor =
        DefaultExecutor.builder().setWorkingDirectory(directory.toFile()).get();
    executor.setStreamHandler(new PumpStreamHandler(out, err));
    executor.setWatchdog(watchdog);
    executor.setExitValues(null);
    int exit;
    try {
      exit = executor.execute(line, environment);
    } catch (ExecuteException e) {
      exit = e.getExitValue();
    }
    if (watchdog.killedProcess()) {
      throw new IOException(
          "'"
              + String.join(" ", command)
              + "' did not finish within "
              + timeout.toSeconds()
              + " s");
    }
    return new ExecResult(
        List.copyOf(command),
        exit,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }
}
