package dev.rebuild.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The WebDAV repository server of the publish tests ({@code davserver} from {@link TestTools}, see
 * its {@code main.go}) on 127.0.0.1, serving a directory with basic authentication and logging
 * every request as {@code METHOD PATH STATUS}. No JUnit here: the invoker ITs start it too.
 */
public final class DavServer implements AutoCloseable {

  /** Options of the server ({@code main.go}'s flags). */
  public enum Option {
    /** {@code X-Checksum-Sha256}/{@code X-Checksum-Sha1} on GET and HEAD, as Artifactory sends. */
    CHECKSUMS("-checksums"),
    /** PUT creates missing parent collections, as repository managers do. */
    AUTOCREATE("-autocreate"),
    /** PUT never replaces a file but {@code maven-metadata.xml}: a release repository. */
    IMMUTABLE("-immutable");

    final String flag;

    Option(String flag) {
      this.flag = flag;
    }
  }

  private final Path root;
  private final Path log;
  private final Process process;
  private final int port;

  private DavServer(Path root, Path log, Process process, int port) {
    this.root = root;
    this.log = log;
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a server on {@code port} (0: any free port) for {@code root}, logging to {@code log}
   * (appended to, so a restarted server continues the same log).
   *
   * @param user null for no authentication
   * @param exitAfterPuts stop after this many successful PUTs; 0 never
   */
  public static DavServer start(
      Path root,
      Path log,
      int port,
      String user,
      String password,
      int exitAfterPuts,
      Option... options)
      throws IOException {
    List<String> flags = new ArrayList<>();
    for (Option o : options) {
      flags.add(o.flag);
    }
    return start(root, log, port, user, password, exitAfterPuts, flags);
  }

  /**
   * As {@link #start(Path, Path, int, String, String, int, Option...)}, with {@code main.go}'s
   * flags as given (for flags with a value: {@code -hold-put REGEXP}).
   */
  public static DavServer start(
      Path root,
      Path log,
      int port,
      String user,
      String password,
      int exitAfterPuts,
      List<String> flags)
      throws IOException {
    Files.createDirectories(root);
    Path portFile = Files.createTempFile(log.toAbsolutePath().getParent(), "dav-port", ".txt");
    Files.delete(portFile);
    List<String> cmd = new ArrayList<>();
    cmd.add(TestTools.tool("davserver").toString());
    cmd.addAll(
        List.of(
            "-listen",
            "127.0.0.1:" + port,
            "-root",
            root.toString(),
            "-log",
            log.toString(),
            "-port-file",
            portFile.toString(),
            "-exit-after-puts",
            Integer.toString(exitAfterPuts)));
    if (user != null) {
      cmd.addAll(List.of("-user", user, "-pass", password));
    }
    cmd.addAll(flags);
    Path out = log.resolveSibling(log.getFileName() + ".out");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(portFile)) {
      if (!p.isAlive() || System.nanoTime() > until) {
        p.destroyForcibly();
        throw new AssertionError(
            "davserver did not start on 127.0.0.1:" + port + ": " + Files.readString(out));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IOException("interrupted", e);
      }
    }
    int actual = Integer.parseInt(Files.readString(portFile).strip());
    Files.delete(portFile);
    return new DavServer(root, log, p, actual);
  }

  public int port() {
    return port;
  }

  /** The server's process id (an invoker IT's verify script stops it by it). */
  public long pid() {
    return process.pid();
  }

  public Path root() {
    return root;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Every request logged so far, {@code METHOD PATH STATUS}, by this and earlier servers. */
  public List<String> requests() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }

  /** The logged requests of {@code method} that succeeded (2xx). */
  public List<String> succeeded(String method) throws IOException {
    return requests().stream()
        .filter(l -> l.startsWith(method + " ") && l.matches(".* 2\\d\\d$"))
        .toList();
  }

  /** Waits until the log has {@code request} ({@code METHOD PATH STATUS}); whether it came. */
  public boolean awaitRequest(String request, Duration d) throws IOException, InterruptedException {
    long until = System.nanoTime() + d.toNanos();
    while (!requests().contains(request)) {
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** Waits for a server that stops by itself ({@code exitAfterPuts}). */
  public boolean awaitExit(Duration d) throws InterruptedException {
    return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
