package dev.rebuild.core.testing;

import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.testing.DavServer.Option;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the publish ITs (it/src/it/publish-*) share: the demo repository, the local GitHub with the
 * original release, the WebDAV repository server, reading back with curl, {@code mvn
 * dependency:get} and {@code sha256sum -c}, and a Maven run killed with {@code kill -9}. Lists come
 * back mutable: the Groovy scripts sort them in place.
 */
public final class PublishIt {

  /** The token the local GitHub takes (GITHUB_TOKEN of the invocations). */
  public static final String GITHUB_TOKEN = "ghp_it-env-token-5c1e";

  public static final String DAV_USER = "it-deployer";
  public static final String DAV_PASSWORD = "dav-Pw-7391";

  private PublishIt() {}

  /** The demo release's archives by platform, as the ITs' {@code <archive>} names them. */
  public static Map<String, String> demoArchives(String goVersion) {
    Map<String, String> archives = new LinkedHashMap<>();
    archives.put("linux-amd64", "demo-1.0.0.linux-amd64." + goVersion + ".tar.gz");
    archives.put("windows-amd64", "demo-1.0.0.windows-amd64." + goVersion + ".zip");
    return archives;
  }

  /** The files published beside the archives: checksums, manifest, report, named by the label. */
  public static List<String> labelledFiles(String label) {
    return new ArrayList<>(
        List.of(
            "demo-" + label + ".SHA256SUMS",
            "demo-" + label + ".rebuild-manifest.json",
            "demo-" + label + ".verification-report.md"));
  }

  /**
   * The documents in {@code dist/} (provenance, SBOMs, VEX) that the committed manifest of {@code
   * basedir/target/rebuild/v1.0.0} lists among its attachments: published beside the archives,
   * under their own names. Fails when there are none, as every release writes provenance.
   */
  public static List<String> distDocuments(File basedir) throws IOException {
    Path manifest = new File(basedir, "target/rebuild/v1.0.0/" + ReleaseManifest.FILE).toPath();
    List<String> names =
        ReleaseManifest.read(Files.readAllBytes(manifest)).attachments().stream()
            .map(ReleaseManifest.Attachment::distName)
            .filter(n -> n != null)
            .collect(Collectors.toCollection(ArrayList::new));
    if (names.isEmpty()) {
      throw new AssertionError("no dist/ documents in " + manifest);
    }
    return names;
  }

  /**
   * Fails when any of {@code secrets} is in one of {@code outputs} (logs) or in a file the rebuild
   * wrote under {@code basedir/target/rebuild}.
   */
  public static void assertNowhere(File basedir, List<String> secrets, List<String> outputs)
      throws IOException {
    List<Path> files;
    try (var walk = Files.walk(new File(basedir, "target/rebuild").toPath())) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (String secret : secrets) {
      for (String out : outputs) {
        if (out.contains(secret)) {
          throw new AssertionError("a secret is in the output");
        }
      }
      for (Path f : files) {
        if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(secret)) {
          throw new AssertionError("a secret is in " + f);
        }
      }
    }
  }

  /**
   * The demo project's repository ({@code make-release.sh}) in {@code basedir/repo}: v1.0.0's
   * commit.
   */
  public static String demoRepository(File basedir, String demoDir) {
    File repo = new File(basedir, "repo");
    ItSupport.exec(
        basedir, List.of("bash", demoDir + "/make-release.sh", repo.getPath()), Map.of());
    return new String(
            ItSupport.exec(repo, List.of("git", "rev-parse", "v1.0.0^{commit}"), Map.of()),
            StandardCharsets.UTF_8)
        .strip();
  }

  /**
   * A local GitHub ({@link FakeGitHub}) on {@code port} with repository demo/demo: the tag v1.0.0
   * at {@code commit} and its published release holding a file of its own. It serves until {@link
   * #stopGitHub}.
   */
  public static FakeGitHub gitHub(int port, String commit) throws IOException {
    FakeGitHub github = FakeGitHub.start(port, GITHUB_TOKEN);
    github.tag("demo/demo", "v1.0.0", commit);
    github.publishedRelease(
        "demo/demo",
        "v1.0.0",
        Map.of(
            "demo-1.0.0.original-notes.txt",
            "the original's own file\n".getBytes(StandardCharsets.UTF_8)));
    return github;
  }

  /** Stops the local GitHub on {@code port}; it answers before it goes. */
  public static void stopGitHub(int port) throws IOException, InterruptedException {
    new ProcessBuilder("curl", "-sS", "-X", "POST", "http://127.0.0.1:" + port + "/_fake/stop")
        .start()
        .waitFor();
  }

  /**
   * The repository server: davserver serving {@code basedir/served} on {@code port} (0: any) as a
   * release repository (parent collections created, files never replaced but maven-metadata.xml),
   * {@link #DAV_USER} only, every request in {@code basedir/requests.log}. Its pid goes to {@code
   * basedir/dav.pid} for {@link #stopDav}; the end of this JVM stops it too.
   *
   * @param holdPut null, or a regular expression: the first PUT whose path matches is held (its
   *     first bytes read, then never answered nor stored), logged as {@code PUT path HELD}
   */
  public static DavServer dav(File basedir, int port, String holdPut) throws IOException {
    List<String> flags = new ArrayList<>(List.of(Option.AUTOCREATE.flag, Option.IMMUTABLE.flag));
    if (holdPut != null) {
      flags.addAll(List.of("-hold-put", holdPut));
    }
    DavServer dav =
        DavServer.start(
            new File(basedir, "served").toPath(),
            new File(basedir, "requests.log").toPath(),
            port,
            DAV_USER,
            DAV_PASSWORD,
            0,
            flags);
    Files.writeString(new File(basedir, "dav.pid").toPath(), dav.pid() + "\n");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    dav.close();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    return dav;
  }

  /** Stops the server {@link #dav} started for {@code basedir}. */
  public static void stopDav(File basedir) throws IOException {
    long pid = Long.parseLong(Files.readString(new File(basedir, "dav.pid").toPath()).strip());
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
  }

  /** settings.xml {@code <server>}s with the repository server's credentials. */
  public static String davServers(String... ids) {
    StringBuilder s = new StringBuilder();
    for (String id : ids) {
      s.append("    <server><id>")
          .append(id)
          .append("</id><username>")
          .append(DAV_USER)
          .append("</username><password>")
          .append(DAV_PASSWORD)
          .append("</password></server>\n");
    }
    return s.toString();
  }

  /**
   * The successful uploads of files under {@code /under/} in {@code basedir/requests.log}, {@code
   * PUT path status}; maven-metadata.xml, which every deploy rewrites, left out.
   */
  public static List<String> uploads(File basedir, String under) throws IOException {
    Path log = new File(basedir, "requests.log").toPath();
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .filter(
            l -> l.matches("PUT /" + under + "/\\S+ 20\\d") && !l.contains("maven-metadata.xml"))
        .toList();
  }

  /**
   * A settings.xml ({@code settings}) for the Maven runs of a verify script: the ITs' repository
   * (the outer local one), the repository server's {@code servers}, and {@code readFrom} (a release
   * repository URL) to resolve from.
   */
  public static File verifySettings(
      File settings,
      String itSettings,
      String outerLocalRepository,
      String readFrom,
      String... servers)
      throws IOException {
    String text =
        Files.readString(Path.of(itSettings))
            .replace("@localRepositoryUrl@", new File(outerLocalRepository).toURI().toString())
            .replace(
                "<profiles>",
                "<servers>\n"
                    + davServers(servers)
                    + "  </servers>\n  <profiles>\n    <profile>\n      <id>read-back</id>\n"
                    + "      <activation><activeByDefault>true</activeByDefault></activation>\n"
                    + "      <repositories><repository><id>it-releases</id><url>"
                    + readFrom
                    + "</url></repository></repositories>\n    </profile>");
    Files.writeString(settings.toPath(), text);
    return settings;
  }

  /**
   * {@code mvn dependency:get} of {@code groupId:artifactId:version:ext:classifier} into the empty
   * local repository {@code readRepo}, with {@code settings} ({@link #verifySettings}): the file.
   */
  public static File mavenGet(
      File dir,
      String mvn,
      File settings,
      File readRepo,
      String groupId,
      String artifactId,
      String version,
      String ext,
      String classifier) {
    ItSupport.exec(
        dir,
        List.of(
            mvn,
            "-B",
            "-q",
            "-s",
            settings,
            "-Dmaven.repo.local=" + readRepo,
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get",
            "-Dtransitive=false",
            "-Dartifact=" + String.join(":", groupId, artifactId, version, ext, classifier)),
        Map.of());
    File f =
        new File(
            readRepo,
            groupId.replace('.', '/')
                + "/"
                + artifactId
                + "/"
                + version
                + "/"
                + artifactId
                + "-"
                + version
                + "-"
                + classifier
                + "."
                + ext);
    if (!f.isFile()) {
      throw new AssertionError("mvn dependency:get gave no " + f);
    }
    return f;
  }

  /** {@code sha256sum --strict -c sums} in {@code dir} (C locale): its lines, all OK. */
  public static List<String> sha256Check(File dir, String sums, boolean ignoreMissing) {
    List<String> cmd =
        ignoreMissing
            ? List.of("env", "LC_ALL=C", "sha256sum", "--ignore-missing", "--strict", "-c", sums)
            : List.of("env", "LC_ALL=C", "sha256sum", "--strict", "-c", sums);
    String out = new String(ItSupport.exec(dir, cmd, Map.of()), StandardCharsets.UTF_8);
    List<String> lines = out.lines().collect(Collectors.toCollection(ArrayList::new));
    if (lines.isEmpty() || !lines.stream().allMatch(l -> l.endsWith(": OK"))) {
      throw new AssertionError("sha256sum -c " + sums + ":\n" + out);
    }
    return lines;
  }

  /**
   * Runs {@code command} (a Maven: bin/mvn execs java, so its pid is Maven's JVM) in {@code dir}
   * and kills it with {@code kill -9} once {@code when} holds for its output so far (tested on
   * every line and every 50 ms); fails if it ends before or within 10 minutes.
   *
   * @return its output until the kill
   */
  public static String killWhen(File dir, List<?> command, Predicate<String> when)
      throws IOException, InterruptedException {
    Process child =
        new ProcessBuilder(command.stream().map(String::valueOf).toList())
            .directory(dir)
            .redirectErrorStream(true)
            .start();
    StringBuffer seen = new StringBuffer();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  seen.append(line).append('\n');
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    reader.setDaemon(true);
    reader.start();
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    try {
      while (!when.test(seen.toString())) {
        if (!child.isAlive()) {
          reader.join(5_000);
          throw new AssertionError("ended (" + child.exitValue() + ") before the kill:\n" + seen);
        }
        if (System.nanoTime() > until) {
          throw new AssertionError("not ready for the kill within 10 minutes:\n" + seen);
        }
        Thread.sleep(50);
      }
      Process kill = new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill -9 " + child.pid() + " failed");
      }
      if (!child.waitFor(30, TimeUnit.SECONDS) || child.exitValue() != 128 + 9) {
        throw new AssertionError("not killed by kill -9:\n" + seen);
      }
      reader.join(5_000);
      return seen.toString();
    } finally {
      child.destroyForcibly();
    }
  }
}
