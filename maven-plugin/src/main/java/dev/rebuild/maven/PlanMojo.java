package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.infer.InferredRecipe;
import dev.rebuild.core.infer.RecipeConfiguration;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.release.RebuildPlan;
import java.time.format.DateTimeFormatter;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Prints what {@code rebuild:release} would build and name: the tag's commit, the toolchain, and
 * per target the binaries and artifact names. Builds and publishes nothing (it checks the tag out
 * under the output directory to list the main packages).
 *
 * @since 0.1.0
 */
@Mojo(name = "plan", requiresProject = false, threadSafe = true)
public class PlanMojo extends AbstractRebuildMojo {

  /**
   * Also print the recipe as a POM {@code <configuration>} block to paste: the one read from the
   * original release (see {@code rebuild.original}) or the configured one.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.writeRecipe", defaultValue = "false")
  boolean writeRecipe;

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
    InferredRecipe inferred = plan.inferred();
    if (inferred != null) {
      getLog().info("[rebuild] Recipe read from the original release:");
      for (InferredRecipe.Source s : inferred.sources()) {
        getLog()
            .info("[rebuild]   " + s.parameter() + " = " + s.value() + "  (from " + s.from() + ")");
      }
      inferred
          .originalNames()
          .forEach((p, name) -> getLog().info("[rebuild]   original of " + p + ": " + name));
      for (String note : inferred.notes()) {
        getLog().info("[rebuild]   note: " + note);
      }
    }
    if (Boolean.parseBoolean(cli("rebuild.writeRecipe", Boolean.toString(writeRecipe)))) {
      getLog().info("[rebuild] The recipe as POM configuration (rebuild.writeRecipe):");
      for (String line :
          RecipeConfiguration.xml(inferred != null ? inferred.recipe() : recipe()).split("\n")) {
        getLog().info(line);
      }
    }
  }
}
