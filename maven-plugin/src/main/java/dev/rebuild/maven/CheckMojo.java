package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.check.CheckReport;
import dev.rebuild.core.check.CheckReportWriters;
import dev.rebuild.core.check.CheckResult;
import dev.rebuild.core.check.Checker;
import dev.rebuild.core.check.GoPolicy;
import dev.rebuild.core.check.ReleaseToCheck;
import dev.rebuild.core.check.ReleasesFile;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.image.ImageInspector;
import dev.rebuild.core.image.RegistryClientFactory;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.toolchain.GoReleaseList;
import dev.rebuild.core.toolchain.ToolchainException;
import dev.rebuild.core.toolchain.ToolchainSettings;
import dev.rebuild.core.toolchain.ToolchainStore;
import dev.rebuild.core.vuln.VulnerabilityDatabaseException;
import dev.rebuild.core.vuln.VulnerabilitySource;
import dev.rebuild.core.vuln.VulnerabilitySources;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Decides whether published releases need a security rebuild: reads the Go version of every
 * published binary (original and earlier rebuilds, found by their label), checks the newest build
 * against the Go vulnerability database, and names the Go to rebuild with, the label and the
 * command: {@code mvn rebuild:check -Dtag=v1.3.0 -Drebuild.original=dist}. Builds nothing. Writes
 * {@code check-report.json}, {@code check-report.md}, {@code check-junit.xml} and {@code
 * check.properties} to {@code <outputDirectory>/check/}.
 *
 * @since 0.3.0
 */
@Mojo(name = "check", requiresProject = false, threadSafe = true)
public class CheckMojo extends AbstractRegistryMojo {

  /**
   * The release tag to check, e.g. {@code v1.3.0}, when checking one release; see {@code releases}
   * for several.
   *
   * @since 0.3.0
   */
  @Parameter(property = "tag")
  String tag;

  /**
   * A JSON file listing the releases to check, each with its {@code tag}, {@code name}, {@code
   * project}, {@code published} (local directories, archives, tag directories, relative to the
   * file) and {@code images} (repositories or images). Replaces {@code tag}, {@code original},
   * {@code published} and {@code publishedImages}.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.releases")
  File releases;

  /**
   * The original release: a local directory of its archives or binaries, one archive, or the
   * http(s) URL of one published archive or binary (downloaded, read and deleted).
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.original")
  String original;

  /**
   * Comma-separated further published files of the tag: local directories or archives of earlier
   * security rebuilds, committed tag directories ({@code target/rebuild/v1.3.0}, read through their
   * {@code rebuild-manifest.json} and {@code dist/}), or http(s) URLs of published archives and
   * binaries of the original or of rebuilds.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.published")
  String published;

  /**
   * Comma-separated container images of the release: a repository ({@code registry/repo}) is read
   * at the tag {@code tag} and at every tag the label gives ({@code v1.3.0-go*}); an image with a
   * tag or digest is read as it is.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.publishedImages")
  String publishedImages;

  /**
   * Comma-separated GitHub repositories ({@code owner/name}) whose releases publish the tag: the
   * release of the tag (with any assets a rebuild attached to it) and every release tagged with the
   * label are read through the API. The token, needed for private repositories and to raise the
   * rate limit, comes from {@code GITHUB_TOKEN} or {@code GH_TOKEN}.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.publishedGitHub")
  String publishedGitHub;

  /**
   * The GitHub REST API root: {@code https://api.github.com}, or {@code https://HOST/api/v3} for
   * GitHub Enterprise Server.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.githubApi", defaultValue = "https://api.github.com")
  String githubApi;

  /**
   * Fills {@code {project}} in the label. Default: the release's name (the tag for one release).
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.projectName")
  String projectName;

  /**
   * How to choose the Go: {@code minor} (the oldest supported Go minor, not older than the
   * published one, whose newest patch fixes every standard-library finding), {@code patch} (the
   * newest patch of the published minor, if that minor is still supported) or {@code latest}.
   * Supported are the two newest minors of the Go release list.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.goPolicy", defaultValue = "minor")
  String goPolicy;

  /**
   * The rebuild label template: {@code {tag}}, {@code {version}}, {@code {project}}, {@code
   * {goVersion}} and {@code {n}}, one more than the highest published rebuild of the tag ({@code
   * {tag}-r{n}}). Published rebuilds are recognised by it.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.label", defaultValue = ReleaseNames.DEFAULT_LABEL)
  String label;

  /**
   * The Go vulnerability database: an http(s) server in the vuln.go.dev layout, a directory or a
   * {@code vulndb.zip}.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.vulndb", defaultValue = VulnerabilitySources.DEFAULT_LOCATION)
  String vulndb;

  /**
   * The Go release list (go.dev's JSON) as a URL or file. Default: {@code
   * https://go.dev/dl/?mode=json&include=all}; when it cannot be read, the Go module proxy's
   * version list of {@code golang.org/toolchain}.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.goReleases")
  String goReleases;

  /**
   * Fetch nothing from go.dev or the module proxy: the release list must then be a file. Maven's
   * {@code -o} implies it.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.offline", defaultValue = "false")
  boolean offline;

  /**
   * Fail the goal when a rebuild is due (by default it succeeds and reports).
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.failIfDue", defaultValue = "false")
  boolean failIfDue;

  /**
   * Where {@code check/} with the reports is written.
   *
   * @since 0.3.0
   */
  @Parameter(
      property = "rebuild.outputDirectory",
      defaultValue = "${project.build.directory}/rebuild")
  File outputDirectory;

  /**
   * Skip the goal.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.skip", defaultValue = "false")
  boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skipped(skip)) {
      return;
    }
    GoPolicy policy;
    try {
      policy = GoPolicy.parse(cli("rebuild.goPolicy", goPolicy));
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException(
          "Bad <goPolicy> / -Drebuild.goPolicy: " + e.getMessage() + " (default: minor)");
    }
    Path base = baseDirectory();
    String releasesFile = cli("rebuild.releases", releases == null ? null : releases.getPath());
    boolean fromFile = releasesFile != null && !releasesFile.isBlank();
    List<ReleaseToCheck> toCheck;
    try {
      toCheck =
          !fromFile
              ? List.of(single(base))
              : ReleasesFile.read(base.resolve(releasesFile).normalize());
    } catch (RebuildException e) {
      throw fail(e);
    }
    boolean anyImages = toCheck.stream().anyMatch(r -> !r.images().isEmpty());
    ImageStage.Registries registries = anyImages ? registries() : null;
    GitHubApi github = toCheck.stream().anyMatch(r -> !r.github().isEmpty()) ? gitHubApi() : null;
    GoReleaseList goList = releaseList(base);
    Path reportDir = reportDirectory(outputDirectory, "check");

    CheckReport report;
    String location = VerifyMojo.databaseLocation(base, cli("rebuild.vulndb", vulndb));
    try (VulnerabilitySource db = VulnerabilitySources.open(location)) {
      Checker checker =
          new Checker(
              new ArtifactScanner(),
              registries == null
                  ? null
                  : new ImageInspector(
                      RegistryClientFactory.DEFAULT,
                      registries.credentials(),
                      registries.insecureRegistries()),
              github,
              db,
              goList,
              listener());
      report = checker.check(toCheck, policy, cli("rebuild.label", label));
    } catch (VulnerabilityDatabaseException e) {
      throw VerifyMojo.databaseFailure(e.getMessage(), e);
    } catch (RebuildException e) {
      throw fail(e);
    }
    List<Path> written;
    try {
      written = CheckReportWriters.writeAll(report, reportDir, fromFile);
    } catch (IOException e) {
      throw reportWriteFailure(reportDir, e);
    }
    print(report);
    for (Path p : written) {
      getLog().info("[rebuild] Report: " + p);
    }
    boolean failDue = Boolean.parseBoolean(cli("rebuild.failIfDue", Boolean.toString(failIfDue)));
    if (failDue && !report.due().isEmpty()) {
      StringBuilder m = new StringBuilder("Security rebuild due (rebuild.failIfDue):");
      for (CheckResult r : report.due()) {
        m.append("\n  ").append(r.name()).append(' ').append(r.tag()).append(": ");
        m.append(r.command());
      }
      throw new MojoFailureException(m.append("\nReports: ").append(reportDir).toString());
    }
  }

  /** The one release {@code -Dtag} and the published locations name. */
  private ReleaseToCheck single(Path base) throws MojoFailureException {
    String theTag = cli("tag", tag);
    if (theTag == null || theTag.isBlank()) {
      throw new MojoFailureException(
          "No release to check. Give the tag and where it is published: -Dtag=v1.3.0"
              + " -Drebuild.original=dist (or -Drebuild.releases=releases.json for several).");
    }
    List<Path> paths = new ArrayList<>();
    List<URI> urls = new ArrayList<>();
    List<String> locations = new ArrayList<>();
    String orig = cli("rebuild.original", original);
    if (orig != null && !orig.isBlank()) {
      locations.add(orig.strip());
    }
    locations.addAll(commaSet(cli("rebuild.published", published)));
    for (String l : locations) {
      if (ReleasesFile.isUrl(l)) {
        try {
          urls.add(ReleasesFile.url(l, "rebuild.original / rebuild.published"));
        } catch (RebuildException e) {
          throw new MojoFailureException(
              e.getMessage() + " [parameter: <original> or <published>]", e);
        }
      } else {
        paths.add(base.resolve(l).normalize());
      }
    }
    List<String> images =
        new ArrayList<>(commaSet(cli("rebuild.publishedImages", publishedImages)));
    if (paths.isEmpty()
        && urls.isEmpty()
        && images.isEmpty()
        && commaSet(cli("rebuild.publishedGitHub", publishedGitHub)).isEmpty()) {
      throw new MojoFailureException(
          "Nothing published to check for "
              + theTag
              + ". Name it: -Drebuild.original=DIR, -Drebuild.published=DIR,...,"
              + " -Drebuild.publishedImages=registry/repo, -Drebuild.publishedGitHub=owner/name");
    }
    String project = cli("rebuild.projectName", projectName);
    return new ReleaseToCheck(
        theTag.strip(),
        theTag.strip(),
        project,
        paths,
        urls,
        images,
        List.copyOf(commaSet(cli("rebuild.publishedGitHub", publishedGitHub))));
  }

  /**
   * The GitHub API with the token {@code rebuild:publish} would use: the settings.xml server {@code
   * github}, else {@code GITHUB_TOKEN}, else {@code GH_TOKEN}; none for public repositories.
   */
  private GitHubApi gitHubApi() throws MojoFailureException, MojoExecutionException {
    String root = cli("rebuild.githubApi", githubApi);
    URI api;
    try {
      api = new URI(root == null ? "https://api.github.com" : root.strip());
      if (api.getHost() == null
          || !("https".equalsIgnoreCase(api.getScheme())
              || "http".equalsIgnoreCase(api.getScheme()))) {
        throw new URISyntaxException(root, "not an http(s) URL with a host");
      }
    } catch (URISyntaxException e) {
      throw new MojoFailureException(
          "Bad <githubApi> / -Drebuild.githubApi '"
              + root
              + "': "
              + e.getReason()
              + "; give https://api.github.com or https://HOST/api/v3");
    }
    String token;
    try {
      token = PublishDestinations.token("github", false, publishContext());
    } catch (RebuildException e) {
      throw fail(e);
    }
    return gitHubApi(api, token);
  }

  private GoReleaseList releaseList(Path base) throws MojoExecutionException {
    String list = cli("rebuild.goReleases", goReleases);
    if (list != null && !list.isBlank() && !list.contains("://")) {
      list = base.resolve(list.strip()).normalize().toString();
    }
    ToolchainSettings settings =
        ToolchainSettings.builder()
            .offline(offline(offline))
            .releaseList(list)
            .environment(System.getenv())
            .build();
    try {
      return new ToolchainStore(
              settings, new CommonsExecProcessRunner(), new MavenToolchainListener(getLog()))
          .releases();
    } catch (ToolchainException e) {
      throw new MojoExecutionException(
          e.getMessage() + " [parameter: <goReleases> / -Drebuild.goReleases]", e);
    }
  }

  private void print(CheckReport report) {
    getLog()
        .info(
            "[rebuild] Checked "
                + report.results().size()
                + (report.results().size() == 1 ? " release" : " releases")
                + " against "
                + report.database()
                + " (goPolicy="
                + report.policy().id()
                + ", supported Go "
                + String.join(", ", report.supportedLines())
                + ")");
    for (CheckResult r : report.results()) {
      String head =
          "[rebuild]   "
              + r.name()
              + (r.name().equals(r.tag()) ? "" : " " + r.tag())
              + ": "
              + (r.due() ? "DUE" : r.status().name().toLowerCase(Locale.ROOT).replace('_', ' '))
              + (r.publishedGo() == null ? "" : ", published with go" + r.publishedGo());
      if (r.status().problem()) {
        getLog().warn(head + ": " + r.reason());
      } else {
        getLog().info(head + ": " + r.reason());
      }
      if (r.due()) {
        getLog().info("[rebuild]     Go " + r.chosenGo() + ", label " + r.label());
        getLog().info("[rebuild]     " + r.command());
      }
    }
  }
}
