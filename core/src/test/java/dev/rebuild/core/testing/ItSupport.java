package dev.rebuild.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
   * returns its standard output and standard error as one text (for the IT scripts, which assert on
   * what a tool prints either way); fails with that text when it exits non-zero.
   */
  public static String run(File dir, List<?> command, Map<String, String> env) {
    return new String(exec(dir, command, env, true), StandardCharsets.UTF_8);
  }

  /** {@link #run(File, List, Map)} with this JVM's environment. */
  public static String run(File dir, List<?> command) {
    return run(dir, command, Map.of());
  }

  /**
   * Runs {@code command} in {@code dir} with the environment of this JVM plus {@code env}, and
   * returns its standard output byte for byte; fails with both outputs when it exits non-zero.
   */
  public static byte[] exec(File dir, List<?> command, Map<String, String> env) {
    return exec(dir, command, env, false);
  }

  /** With {@code merged}, standard error goes into the returned output too. */
  private static byte[] exec(File dir, List<?> command, Map<String, String> env, boolean merged) {
    List<String> cmd = command.stream().map(String::valueOf).toList();
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("it-exec", ".out");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir).redirectOutput(out.toFile());
      if (merged) {
        pb.redirectErrorStream(true);
      } else {
        err = Files.createTempFile("it-exec", ".err");
        pb.redirectError(err.toFile());
      }
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
                + (err == null ? "" : Files.readString(err, StandardCharsets.UTF_8))
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
   * Encrypts with the Maven running this build ({@code mvn --encrypt-master-password} or {@code
   * --encrypt-password}, as a user does), against the settings-security.xml {@code security}.
   *
   * @return the encrypted value, {@code {...}}
   */
  public static String mavenEncrypt(File dir, File security, String option, String value) {
    File mvn = new File(System.getProperty("maven.home"), "bin/mvn");
    String out =
        new String(
            exec(
                dir,
                List.of(
                    mvn.getPath(), "-B", "-q", "-Dsettings.security=" + security, option, value),
                Map.of()),
            StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\\{[A-Za-z0-9+/=]+\\}").matcher(out);
    if (!m.find()) {
      throw new AssertionError("mvn " + option + " printed no encrypted value:\n" + out);
    }
    return m.group();
  }

  /**
   * A settings.xml for an invocation that needs servers of its own: the ITs' plugin group and
   * repositories (as src/it/settings.xml) plus {@code servers} ({@code <server>} elements).
   */
  public static String settingsXml(String servers) {
    String repository =
        "<id>local.central</id><url>@localRepositoryUrl@</url>"
            + "<releases><enabled>true</enabled></releases>"
            + "<snapshots><enabled>true</enabled></snapshots>";
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n"
        + "  <pluginGroups><pluginGroup>dev.rebuild</pluginGroup></pluginGroups>\n"
        + "  <servers>\n"
        + servers
        + "  </servers>\n"
        + "  <profiles>\n    <profile>\n      <id>it-repo</id>\n"
        + "      <activation><activeByDefault>true</activeByDefault></activation>\n"
        + "      <repositories><repository>"
        + repository
        + "</repository></repositories>\n"
        + "      <pluginRepositories><pluginRepository>"
        + repository
        + "</pluginRepository></pluginRepositories>\n"
        + "    </profile>\n  </profiles>\n</settings>\n";
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

  /**
   * What {@code oras discover --format json REF} lists as the referrers of {@code ref} ({@code
   * registry/repo@sha256:...} or {@code :tag}): referrer digest to artifactType, sorted.
   */
  public static Map<String, String> orasReferrers(File dir, String ref) {
    JsonNode out;
    try {
      out = new ObjectMapper().readTree(oras(dir, List.of("discover", "--format", "json", ref)));
    } catch (IOException e) {
      throw new AssertionError("oras discover " + ref + " printed no JSON: " + e, e);
    }
    Map<String, String> found = new TreeMap<>();
    collectReferrers(out, found);
    found.remove(out.path("digest").asText(""));
    return found;
  }

  private static void collectReferrers(JsonNode n, Map<String, String> found) {
    if (n.isObject()) {
      if (n.has("digest") && n.has("artifactType")) {
        found.put(n.path("digest").asText(), n.path("artifactType").asText());
      }
      n.fields().forEachRemaining(e -> collectReferrers(e.getValue(), found));
    } else if (n.isArray()) {
      n.forEach(c -> collectReferrers(c, found));
    }
  }
}
