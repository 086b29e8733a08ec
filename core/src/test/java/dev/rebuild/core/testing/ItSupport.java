package dev.rebuild.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the invoker ITs' setup and verify scripts (it/src/it/&#42;/*.groovy) share, from core's
 * test-jar (it/pom.xml puts it on the scripts' class path with {@code addTestClassPath}): failures
 * that show the tail of the invocation's {@code build.log}, the version of a GOROOT, processes with
 * their output, and {@code crane} ({@link TestTools#tool}) with a Docker config of its own.
 *
 * <p>Nothing here needs JUnit: failures are plain {@link AssertionError}s, as Groovy's {@code
 * assert} throws them.
 */
public final class ItSupport {

  /** How many lines of build.log a failure shows. */
  public static final int TAIL_LINES = 60;

  private ItSupport() {}

  /**
   * The last {@code lines} lines of {@code basedir/build.log} (every invocation of a case appends
   * to it) without the frames of Java stack traces (the ITs run Maven with {@code -e}), which would
   * push what the plugin said out of the tail; or a note when there is no log.
   */
  public static String buildLogTail(File basedir, int lines) {
    Path log = basedir.toPath().resolve("build.log");
    if (!Files.isRegularFile(log)) {
      return "(no " + log + ")";
    }
    List<String> kept = new ArrayList<>();
    int frames = 0;
    try (Stream<String> s = Files.lines(log, StandardCharsets.UTF_8)) {
      for (String line : (Iterable<String>) s::iterator) {
        if (STACK_FRAME.matcher(line).find() || line.startsWith("Running post-build script:")) {
          frames++;
        } else {
          kept.add(line);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
    String tail = String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size()));
    return frames == 0 ? tail : "(" + frames + " stack frame lines left out)\n" + tail;
  }

  private static final Pattern STACK_FRAME = Pattern.compile("^\\s+(at |\\.\\.\\. \\d+ more)");

  /**
   * Runs a verify script's checks; when one fails, fails with its message followed by the tail of
   * {@code build.log}, so the invoker summary shows what the plugin said, not only which check
   * failed.
   */
  public static Object withBuildLog(File basedir, Callable<?> checks) {
    try {
      return checks.call();
    } catch (Throwable e) {
      String what = e instanceof AssertionError ? e.getMessage() : e.toString();
      AssertionError failure =
          new AssertionError(
              what
                  + "\n--- tail of "
                  + new File(basedir, "build.log")
                  + " ---\n"
                  + buildLogTail(basedir, TAIL_LINES)
                  + "\n--- end of build.log ---",
              e);
      throw failure;
    }
  }

  /** The Go version a GOROOT holds, from the first line of its VERSION file: {@code go1.21.13}. */
  public static String goVersion(Path goroot) {
    Path version = goroot.resolve("VERSION");
    try (Stream<String> lines = Files.lines(version, StandardCharsets.UTF_8)) {
      String first = lines.findFirst().map(String::strip).orElse("");
      if (!first.startsWith("go")) {
        throw new AssertionError(version + " does not start with a Go version: '" + first + "'");
      }
      return first;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + version + ": " + e, e);
    }
  }

  /**
   * Runs {@code command} in {@code dir} with the environment of this JVM plus {@code env}, and
   * returns its standard output byte for byte; fails with both outputs when it exits non-zero.
   */
  public static byte[] exec(File dir, List<?> command, Map<String, String> env) {
    List<String> cmd = command.stream().map(String::valueOf).toList();
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("it-exec", ".out");
      err = Files.createTempFile("it-exec", ".err");
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(dir)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      if (env != null) {
        pb.environment().putAll(env);
      }
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish within 10 minutes");
      }
      byte[] stdout = Files.readAllBytes(out);
      if (p.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", cmd)
                + " failed ("
                + p.exitValue()
                + "):\n"
                + Files.readString(err, StandardCharsets.UTF_8)
                + new String(stdout, StandardCharsets.UTF_8));
      }
      return stdout;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: " + String.join(" ", cmd), e);
    } finally {
      for (Path p : new Path[] {out, err}) {
        if (p != null) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // a temporary file left behind is harmless
          }
        }
      }
    }
  }

  /**
   * A Docker config directory for {@code crane} under {@code dir}: no credentials, or {@code
   * user}/{@code password} for {@code registry} (host:port) when {@code registry} is not null. The
   * user's own Docker credentials never take part.
   */
  public static File dockerConfig(File dir, String registry, String user, String password) {
    String auths = "{}";
    if (registry != null) {
      String auth =
          Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      auths = "{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}";
    }
    try {
      Files.createDirectories(dir.toPath());
      Files.writeString(dir.toPath().resolve("config.json"), "{\"auths\":" + auths + "}");
    } catch (IOException e) {
      throw new AssertionError("cannot write a Docker config into " + dir + ": " + e, e);
    }
    return dir;
  }

  /**
   * {@code crane --insecure <args>} (go-containerregistry, pinned: {@link TestTools#tool}) in
   * {@code dir} with the Docker config {@code dockerConfig} ({@link #dockerConfig}); its standard
   * output byte for byte (for {@code crane manifest}: the raw manifest the registry serves).
   */
  public static byte[] crane(File dir, File dockerConfig, List<?> args) {
    List<Object> cmd = new ArrayList<>();
    cmd.add(TestTools.tool("crane"));
    cmd.add("--insecure");
    cmd.addAll(args);
    return exec(dir, cmd, Map.of("DOCKER_CONFIG", dockerConfig.getPath()));
  }

  /**
   * Runs {@code oras} ({@link TestTools#tool}, pinned) over plain HTTP with an empty Docker config
   * of its own, e.g. {@code discover --format json REF}: what it lists as the image's referrers.
   */
  public static byte[] oras(File dir, List<?> args) {
    File config = new File(dir, "oras-config");
    config.mkdirs();
    List<Object> cmd = new ArrayList<>();
    cmd.add(TestTools.tool("oras"));
    cmd.add(args.get(0));
    cmd.add("--plain-http");
    cmd.addAll(args.subList(1, args.size()));
    return exec(dir, cmd, Map.of("DOCKER_CONFIG", config.getPath(), "HOME", config.getPath()));
  }
}
