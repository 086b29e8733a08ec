package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.pipeline.RebuildResult;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.publish.PublishRecord;
import java.io.File;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Publishes a committed tag directory: checks every file against {@code SHA256SUMS} and the
 * manifest, then pushes the images from their OCI layouts, uploads the files to the {@code
 * <publish>} destinations and writes a publish record per destination under {@code <tag>/publish/}.
 * Runs no build and needs no Go; publishing again sends only what a destination lacks. {@code mvn
 * rebuild:publish -Dtag=v1.3.0}.
 *
 * @since 0.2.0
 */
@Mojo(name = "publish", requiresProject = false, threadSafe = true)
public class PublishMojo extends AbstractRegistryMojo {

  /**
   * The tag whose committed directory {@code <outputDirectory>/<tag>/} is published.
   *
   * @since 0.2.0
   */
  @Parameter(property = "tag")
  String tag;

  /**
   * Where {@code rebuild:release} wrote {@code <tag>/}.
   *
   * @since 0.2.0
   */
  @Parameter(
      property = "rebuild.outputDirectory",
      defaultValue = "${project.build.directory}/rebuild")
  File outputDirectory;

  /**
   * The committed tag directory itself, instead of {@code -Dtag} and {@code outputDirectory}.
   *
   * @since 0.2.0
   */
  @Parameter(property = "rebuild.tagDirectory")
  File tagDirectory;

  /**
   * Skip the goal.
   *
   * @since 0.2.0
   */
  @Parameter(property = "rebuild.skip", defaultValue = "false")
  boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("[rebuild] skipped (rebuild.skip)");
      return;
    }
    Path dir = directory();
    ReleasePipeline pipeline = ReleasePipeline.publisher(listener());
    RebuildResult result;
    try {
      result = pipeline.publish(dir, registries(), destinations());
    } catch (RebuildException e) {
      throw fail(e);
    }
    reportPublished(getLog(), result);
  }

  private Path directory() throws MojoFailureException, MojoExecutionException {
    String td = cli("rebuild.tagDirectory", tagDirectory == null ? null : tagDirectory.getPath());
    if (td != null && !td.isBlank()) {
      return baseDirectory().resolve(td).normalize();
    }
    String t = cli("tag", tag);
    if (t == null || t.isBlank()) {
      throw new MojoFailureException(
          "No tag given. Name the committed rebuild to publish: -Dtag=v1.3.0 (with"
              + " -Drebuild.outputDirectory when it is not target/rebuild), or"
              + " -Drebuild.tagDirectory=target/rebuild/v1.3.0.");
    }
    try {
      return ReleasePipeline.tagDirectory(outputRoot(outputDirectory), t.trim());
    } catch (RebuildException e) {
      throw fail(e);
    }
  }

  /** One line per destination a run published to. */
  static void reportPublished(Log log, RebuildResult result) {
    for (PublishRecord r : result.published()) {
      for (PublishRecord.Item i : r.items()) {
        if (i.kind().equals("image")) {
          log.info(
              "[rebuild] Published "
                  + i.reference()
                  + "@"
                  + i.digest()
                  + " (tags "
                  + i.tags()
                  + ")");
        } else {
          log.info(
              "[rebuild] Published "
                  + i.kind()
                  + " "
                  + i.reference()
                  + (i.digest() == null ? "" : " (" + i.digest() + ")"));
        }
      }
    }
  }
}
