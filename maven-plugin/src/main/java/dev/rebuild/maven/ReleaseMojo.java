package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.image.DockerConfigCredentials;
import dev.rebuild.core.image.ImageStage;
import dev.rebuild.core.release.OriginalRelease;
import dev.rebuild.core.release.RebuildResult;
import dev.rebuild.core.release.RebuildVerification;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleasePipeline;
import dev.rebuild.core.release.Stage;
import dev.rebuild.core.release.VerificationSettings;
import dev.rebuild.core.vuln.FailOn;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Rebuilds every artifact of a Go release tag with the requested Go: {@code mvn rebuild:release
 * -Dtag=v1.3.0 -Dgo=1.22.12}. Writes {@code <outputDirectory>/<tag>/dist/}, {@code SHA256SUMS} and
 * {@code rebuild-manifest.json}.
 *
 * @since 0.1.0
 */
@Mojo(name = "release", requiresProject = false, threadSafe = true)
public class ReleaseMojo extends AbstractRebuildMojo {

  /**
   * Container images of the release to rebuild with the new binaries and push; see the README.
   * Without it, no image is touched.
   *
   * @since 0.1.0
   */
  @Parameter List<Image> images;

  /**
   * Comma-separated registries ({@code host[:port]}) spoken to over plain HTTP instead of HTTPS.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.insecureRegistries")
  String insecureRegistries;

  /**
   * Comma-separated tags the rebuilt images may take over although they already point at another
   * image (by default a rebuild never moves a tag, least of all the original's).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.moveTags")
  String moveTags;

  /**
   * Push no image: write each rebuilt image as an OCI image layout under {@code
   * <outputDirectory>/<tag>/images/<repository>/} instead.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.skipPublish", defaultValue = "false")
  boolean skipPublish;

  @Parameter(defaultValue = "${settings}", readonly = true)
  Settings mavenSettings;

  @Component SettingsDecrypter settingsDecrypter;

  /**
   * The original release to compare the rebuild with: a directory or a URL prefix holding its
   * archives, named by {@code <archive><name>} with the original's Go version. Every rebuilt binary
   * must equal the original's binary of the same name and platform in dependencies and build
   * settings. Not set: no comparison.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.original")
  String original;

  /**
   * The Go version the original release was built with ({@code 1.21.5}); needed for a URL prefix
   * {@link #original}, and to choose among several matching files in a directory.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.originalGo")
  String originalGo;

  /**
   * The Go vulnerability database: {@code https://vuln.go.dev}, another server in its layout, a
   * directory ({@code /path} or {@code file:///path}) or a {@code vulndb.zip}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.vulndb", defaultValue = "https://vuln.go.dev")
  String vulndb;

  /**
   * Which vulnerabilities left in the rebuild fail it: {@code fixable} (one a released version
   * fixes), {@code any}, or {@code none} (report only; an unreachable database is then a warning).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.failOn", defaultValue = "fixable")
  String failOn;

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
  List<Stage> verificationStages() throws MojoFailureException {
    FailOn gate;
    try {
      gate = FailOn.parse(cli("rebuild.failOn", failOn));
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Bad <failOn> / -Drebuild.failOn: " + e.getMessage());
    }
    String orig = cli("rebuild.original", original);
    if (orig != null && !orig.isBlank() && !orig.contains("://")) {
      orig = baseDirectory().resolve(orig).normalize().toString();
    }
    String db = cli("rebuild.vulndb", vulndb);
    if (db != null && !db.contains("://") && !db.isBlank()) {
      db = baseDirectory().resolve(db).normalize().toString();
    }
    String origGo = cli("rebuild.originalGo", originalGo);
    VerificationSettings settings =
        new VerificationSettings(orig == null || orig.isBlank() ? null : orig, origGo, db, gate);
    return List.of(
        new RebuildVerification(
            settings,
            new OriginalRelease(
                settings.original() == null ? "" : settings.original(),
                origGo,
                HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build())));
  }

  /** Container images rebuilt with the new binaries. */
  List<Stage> imageStages() throws MojoFailureException {
    if (images == null || images.isEmpty()) {
      return List.of();
    }
    List<ImageStage.ImageTemplate> templates = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Image image = images.get(i);
      List<String> allTags = new ArrayList<>();
      if (image.tag != null && !image.tag.isBlank()) {
        allTags.add(image.tag);
      }
      if (image.tags != null) {
        if (allTags.isEmpty() && !image.tags.isEmpty()) {
          allTags.add(ImageStage.DEFAULT_TAG);
        }
        allTags.addAll(image.tags);
      }
      try {
        templates.add(
            ImageStage.ImageTemplate.parse(
                image.original, image.name, allTags, image.strategy, image.base, image.platforms));
      } catch (ImageStage.InvalidImage e) {
        throw new MojoFailureException(
            "Bad <images><image><"
                + e.field()
                + "> (image "
                + (i + 1)
                + (image.original == null ? "" : ", original " + image.original)
                + "): "
                + e.getMessage()
                + "\nEach <image> needs <original> and <name>; see the README, Container images.");
      }
    }
    boolean skip = Boolean.parseBoolean(cli("rebuild.skipPublish", Boolean.toString(skipPublish)));
    ImageStage.Publishing publishing =
        new ImageStage.Publishing(
            commaSet(cli("rebuild.insecureRegistries", insecureRegistries)),
            commaSet(cli("rebuild.moveTags", moveTags)),
            skip,
            new SettingsCredentials(mavenSettings, settingsDecrypter)
                .orElse(DockerConfigCredentials.fromEnvironment()));
    return List.of(new ImageStage(templates, publishing));
  }

  private static Set<String> commaSet(String value) {
    Set<String> out = new LinkedHashSet<>();
    if (value != null) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
