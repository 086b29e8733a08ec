package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.release.RebuildResult;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleasePipeline;
import dev.rebuild.core.release.Stage;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Rebuilds every artifact of a Go release tag with the requested Go: {@code mvn rebuild:release
 * -Dtag=v1.3.0 -Dgo=1.22.12}. Writes {@code <outputDirectory>/<tag>/dist/}, {@code SHA256SUMS} and
 * {@code rebuild-manifest.json}.
 *
 * @since 0.1.0
 */
@Mojo(name = "release", requiresProject = false, threadSafe = true)
public class ReleaseMojo extends AbstractRebuildMojo {

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("[rebuild] skipped (rebuild.skip)");
      return;
    }
    var request = request();
    List<Stage> stages = new ArrayList<>();
    stages.addAll(verificationStages());
    stages.addAll(imageStages());
    ReleasePipeline pipeline = pipeline(stages);
    RebuildResult result;
    try {
      result = pipeline.release(request);
    } catch (RebuildException e) {
      throw fail(e);
    }
    ReleaseManifest m = result.manifest();
    getLog()
        .info(
            "[rebuild] Rebuilt "
                + m.tag()
                + " ("
                + m.commit()
                + ") with "
                + m.go().version()
                + ": "
                + m.artifacts().size()
                + " artifacts in "
                + result.dist());
    for (ReleaseManifest.Artifact a : m.artifacts()) {
      getLog().info("[rebuild]   " + a.sha256() + "  " + a.name());
    }
    getLog().info("[rebuild] Checksums: " + result.checksums());
    getLog().info("[rebuild] Manifest:  " + result.manifestFile());
  }

  /** Checks on the rebuilt binaries (build info, original release, vulnerabilities). */
  List<Stage> verificationStages() {
    return List.of();
  }

  /** Container images rebuilt with the new binaries. */
  List<Stage> imageStages() {
    return List.of();
  }
}
