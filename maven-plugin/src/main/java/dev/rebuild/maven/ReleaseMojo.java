package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.pipeline.RebuildResult;
import dev.rebuild.core.release.RebuildRequest;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Rebuilds every artifact of a Go release tag with the requested Go: {@code mvn rebuild:release
 * -Dtag=v1.3.0 -Dgo=1.22.12}. Builds into a staging directory, commits {@code
 * <outputDirectory>/<tag>/} ({@code dist/}, {@code SHA256SUMS}, reports, image layouts, and {@code
 * rebuild-manifest.json} last), then publishes the images unless {@code rebuild.skipPublish}.
 *
 * @since 0.1.0
 */
@Mojo(name = "release", requiresProject = false, threadSafe = true)
public class ReleaseMojo extends AbstractReleaseMojo {

  /**
   * Build only the targets {@code -Drebuild.targets} names, as a <em>part</em> of the release in
   * {@code <outputDirectory>/parts/<tag>/<targets>/}, for {@code rebuild:merge} to join with the
   * parts other machines build. The POM's {@code <targets>} stay the release's whole list.
   * Verification, images, commit and publish happen at the merge.
   *
   * @since 0.2.0
   */
  @Parameter(property = "rebuild.part", defaultValue = "false")
  boolean part;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("[rebuild] skipped (rebuild.skip)");
      return;
    }
    if (Boolean.parseBoolean(cli("rebuild.part", Boolean.toString(part)))) {
      buildPart();
      return;
    }
    RebuildRequest request = request();
    var options = options();
    RebuildResult result;
    try {
      result = pipeline().release(request, options);
    } catch (RebuildException e) {
      throw fail(e);
    }
    report(result);
  }

  private void buildPart() throws MojoExecutionException, MojoFailureException {
    String partTargets = cli("rebuild.targets", null);
    if (partTargets == null || partTargets.isBlank()) {
      throw new MojoFailureException(
          "-Drebuild.part=true needs the part's targets on the command line:"
              + " -Drebuild.targets=linux/amd64,linux/arm64 (the POM's <targets> are the whole"
              + " release).");
    }
    if (targets == null || targets.isBlank()) {
      throw new MojoFailureException(
          "-Drebuild.part=true needs the release's whole target list in the POM's <targets>, so"
              + " that every part and the merge agree on it.");
    }
    List<Platform> mine;
    try {
      mine = Platform.parseList(partTargets);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Bad -Drebuild.targets: " + e.getMessage());
    }
    RebuildRequest whole = request();
    RebuildRequest request =
        new RebuildRequest(
            whole.source(),
            whole.tag(),
            whole.go(),
            recipe(targets),
            whole.outputRoot(),
            whole.parallelism());
    Path dir;
    try {
      dir = pipeline().part(request, mine);
    } catch (RebuildException e) {
      throw fail(e);
    }
    getLog().info("[rebuild] Part of " + request.tag() + " for " + mine + " in " + dir);
  }
}
