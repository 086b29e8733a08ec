package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.vuln.FailOn;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What every rebuild goal needs from Maven: where the user ran it, and the rule that values given
 * on the command line win over the POM's {@code <configuration>} (Maven's default is the opposite,
 * which would stop a release manager from narrowing a POM recipe for one run).
 */
abstract class RebuildMojoSupport extends AbstractMojo {

  @Parameter(defaultValue = "${session}", readonly = true)
  MavenSession session;

  /** Where the user ran Maven (or the project's directory): relative paths resolve against it. */
  Path baseDirectory() {
    if (session.getCurrentProject() != null && session.getCurrentProject().getBasedir() != null) {
      return session.getCurrentProject().getBasedir().toPath();
    }
    String dir = session.getRequest().getBaseDirectory();
    return Path.of(dir == null ? "." : dir).toAbsolutePath();
  }

  /**
   * {@code <outputDirectory>} resolved against the base directory: {@code target/rebuild} when not
   * set, and when Maven left its default {@code ${project.build.directory}} unresolved (no POM).
   */
  Path outputRoot(java.io.File configured) {
    String out = cli("rebuild.outputDirectory", configured == null ? null : configured.getPath());
    boolean unset = out == null || out.contains("${");
    return (unset ? baseDirectory().resolve("target/rebuild") : baseDirectory().resolve(out))
        .normalize();
  }

  /** The command-line value of {@code property} when given there, else the configured one. */
  String cli(String property, String configured) {
    Properties user = session.getUserProperties();
    return user.containsKey(property) ? user.getProperty(property) : configured;
  }

  /** Whether {@code rebuild.skip} is set; says so in the log when it is. */
  boolean skipped(boolean configured) {
    boolean skip = Boolean.parseBoolean(cli("rebuild.skip", Boolean.toString(configured)));
    if (skip) {
      getLog().info("[rebuild] skipped (rebuild.skip)");
    }
    return skip;
  }

  /**
   * {@code <outputDirectory>/<name>} for a goal's reports, relative to the base directory; {@code
   * ./target/rebuild} when Maven runs without a POM and leaves {@code ${project.build.directory}}
   * unresolved.
   */
  Path reportDirectory(File configured, String name) {
    return outputRoot(configured).resolve(name);
  }

  /** Whether no toolchain may be downloaded: Maven's own {@code -o}, or {@code rebuild.offline}. */
  boolean offline(boolean configured) {
    return session.isOffline()
        || Boolean.parseBoolean(cli("rebuild.offline", Boolean.toString(configured)));
  }

  /**
   * The GitHub REST API at {@code api} with {@code token} (null: anonymous), waiting out rate
   * limits for up to 15 minutes and logging what it does as {@code [rebuild] github:} lines.
   */
  GitHubApi gitHubApi(URI api, String token) {
    return new GitHubApi(
        api,
        token,
        Clock.systemUTC(),
        GitHubApi.Sleeper.REAL,
        Duration.ofMinutes(15),
        Duration.ofSeconds(2),
        m -> getLog().info("[rebuild] github: " + m));
  }

  /** The vulnerability gate {@code <failOn>} names (command line first). */
  FailOn failOn(String configured) throws MojoFailureException {
    try {
      return FailOn.parse(cli("rebuild.failOn", configured));
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException(
          "Bad <failOn> / -Drebuild.failOn: " + e.getMessage() + " (default: fixable)");
    }
  }

  /** A goal's reports could not be written into {@code reportDir}. */
  static MojoExecutionException reportWriteFailure(Path reportDir, IOException e) {
    return new MojoExecutionException(
        "cannot write the reports to "
            + reportDir
            + ": "
            + e
            + ". Set rebuild.outputDirectory (<outputDirectory>) to a writable directory.",
        e);
  }

  /** Pipeline progress as {@code [rebuild]} log lines. */
  MavenReleaseListener listener() {
    return new MavenReleaseListener(getLog());
  }

  /**
   * Maps a core failure to Maven's and throws it: a verdict or bad configuration is a {@link
   * MojoFailureException}, a broken tool a {@link MojoExecutionException}.
   */
  static MojoExecutionException fail(RebuildException e) throws MojoFailureException {
    Exception mapped = translate(e);
    if (mapped instanceof MojoFailureException f) {
      throw f;
    }
    return (MojoExecutionException) mapped;
  }

  static Exception translate(RebuildException e) {
    String where =
        e.parameter() == null || e.parameter().isEmpty()
            ? ""
            : " [parameter: " + hint(e.parameter()) + "]";
    String message = e.getMessage() + where;
    return switch (e.kind()) {
      case BAD_INPUT, BUILD_FAILED, VERDICT -> new MojoFailureException(message, e);
      case TOOL -> new MojoExecutionException(message, e);
    };
  }

  /**
   * Where a user sets {@code parameter} ({@code publish.http.url}: a nested element): its XML path,
   * plus its user property where it has one. Nested elements and the structured parameters have no
   * property, and naming one that Maven would ignore sends the user on a false trail.
   */
  static String hint(String parameter) {
    String xml = "<" + String.join("><", parameter.split("\\.")) + ">";
    if (parameter.contains(".") || XML_ONLY.contains(parameter)) {
      return xml;
    }
    return switch (parameter) {
      case "tag", "go" -> "-D" + parameter;
      default -> xml + " / -Drebuild." + parameter;
    };
  }

  /** The parameters with no user property: maps and lists of elements. */
  private static final Set<String> XML_ONLY = Set.of("archive", "env", "images", "publish");
}
