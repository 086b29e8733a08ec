package dev.rebuild.maven;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
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

  /** The command-line value of {@code property} when given there, else the configured one. */
  String cli(String property, String configured) {
    Properties user = session.getUserProperties();
    return user.containsKey(property) ? user.getProperty(property) : configured;
  }
}
