package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.release.RebuildPlan;
import java.time.format.DateTimeFormatter;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Prints what {@code rebuild:release} would build and name: the tag's commit, the toolchain, and
 * per target the binaries and artifact names. Builds and publishes nothing (it checks the tag out
 * under the output directory to list the main packages).
 *
 * @since 0.1.0
 */
@Mojo(name = "plan", requiresProject = false, threadSafe = true)
public class PlanMojo extends AbstractRebuildMojo {

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("[rebuild] skipped (rebuild.skip)");
      return;
    }
    ReleasePipeline pipeline = pipeline();
    RebuildPlan plan;
    try {
      plan = pipeline.plan(request());
    } catch (RebuildException e) {
      throw fail(e);
    }
    getLog().info("[rebuild] Plan for " + plan.tag() + " of " + plan.sourceDisplay());
    getLog()
        .info(
            "[rebuild]   commit:  "
                + plan.commit()
                + " ("
                + DateTimeFormatter.ISO_INSTANT.format(plan.commitTime())
                + ")");
    getLog().info("[rebuild]   module:  " + plan.module() + " (project " + plan.project() + ")");
    getLog().info("[rebuild]   go:      " + plan.goVersion() + " from " + plan.toolchainOrigin());
    getLog().info("[rebuild]   output:  " + plan.outputDirectory());
    for (RebuildPlan.TargetPlan t : plan.targets()) {
      getLog()
          .info(
              "[rebuild]   target "
                  + t.platform()
                  + ": "
                  + String.join(" ", t.binaries())
                  + " -> "
                  + t.artifactName());
    }
  }
}
