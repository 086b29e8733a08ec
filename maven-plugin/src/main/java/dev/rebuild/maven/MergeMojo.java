package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.pipeline.RebuildResult;
import dev.rebuild.core.release.RebuildRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Joins the parts that {@code rebuild:release -Drebuild.part=true} built on several machines into
 * the tag directory a one-machine {@code rebuild:release} would have written, byte for byte, then
 * verifies, rebuilds the images, commits and publishes like it. Refuses parts that disagree
 * (commit, Go and its checksum, recipe, build paths without {@code -trimpath}), overlap or leave a
 * target out, naming the part and the field; nothing is committed then.
 *
 * @since 0.2.0
 */
@Mojo(name = "merge", requiresProject = false, threadSafe = true)
public class MergeMojo extends AbstractReleaseMojo {

  /**
   * Comma-separated part directories, or directories holding parts ({@code
   * target/rebuild/parts/v1.3.0}). Default: {@code <outputDirectory>/parts/<tag>}.
   *
   * @since 0.2.0
   */
  @Parameter(property = "rebuild.parts")
  String parts;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("[rebuild] skipped (rebuild.skip)");
      return;
    }
    RebuildRequest request = request();
    List<Path> dirs = new ArrayList<>();
    String given = cli("rebuild.parts", parts);
    if (given == null || given.isBlank()) {
      dirs.add(request.outputRoot().resolve("parts").resolve(request.tag()));
    } else {
      for (String d : commaSet(given)) {
        dirs.add(baseDirectory().resolve(d).normalize());
      }
    }
    RebuildResult result;
    try {
      result = pipeline().merge(dirs, request, options());
    } catch (RebuildException e) {
      throw fail(e);
    }
    report(result);
  }
}
