package dev.rebuild.maven;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.infer.RecipeOverrides;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.publish.github.GitHubSettings;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.OriginalRelease;
import dev.rebuild.core.toolchain.HostPlatform;
import dev.rebuild.core.toolchain.ToolchainProvider;
import dev.rebuild.core.toolchain.ToolchainSettings;
import dev.rebuild.core.toolchain.ToolchainStore;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.toolchain.model.ToolchainModel;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * The configuration {@code rebuild:release} and {@code rebuild:plan} share. The mojos only adapt it
 * into a core {@link RebuildRequest}, make one call, and map core failures to Maven ones.
 *
 * <p>Values given on the command line ({@code -Drebuild.targets=...}) win over the POM's {@code
 * <configuration>}, unlike Maven's default, so a release manager can narrow a POM recipe for one
 * run.
 */
abstract class AbstractRebuildMojo extends AbstractRegistryMojo {

  /**
   * The release tag to rebuild, e.g. {@code v1.3.0}; resolved to a commit of {@link #source}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "tag")
  String tag;

  /**
   * The Go version to rebuild with, in one of these forms:
   *
   * <ul>
   *   <li>an exact release: {@code 1.22.12}, {@code go1.22.12}, or a pre-release such as {@code
   *       go1.23rc1};
   *   <li>a release line: {@code 1.22} means the newest stable 1.22.x (from Go 1.21 on; before
   *       that, {@code 1.20} names the release {@code go1.20} itself);
   *   <li>{@code latest}: the newest stable release.
   * </ul>
   *
   * <p>Lines and {@code latest} are resolved with the Go release list or, when it cannot be read,
   * the module proxy's list of {@code golang.org/toolchain} versions. A version that is in neither
   * list is refused before anything is downloaded, naming the releases nearest to it.
   *
   * @since 0.1.0
   */
  @Parameter(property = "go")
  String go;

  /**
   * The git repository of the Go project: a git URL ({@code https://}, {@code ssh://}, {@code
   * git@host:path}, {@code file:///path/repo.git}), the root of a local work tree, or a local bare
   * repository or mirror ({@code git clone --mirror}). Default: the directory Maven runs in. Only
   * read: the rebuild works in its own checkout under the output directory.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.source")
  String source;

  /**
   * Fills {@code {project}} in names. Default: the last element of the module path.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.projectName")
  String projectName;

  /**
   * Comma-separated {@code GOOS/GOARCH} targets, optionally with {@code /GOARM} or {@code
   * /GOAMD64}: {@code linux/amd64,linux/arm/7,windows/amd64}. Default: this machine's platform.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.targets")
  String targets;

  /**
   * Main package patterns as {@code go build} takes them, comma- or space-separated: {@code
   * ./apps/...}. Default: every main package of the module.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.packages")
  String packages;

  /**
   * The {@code -ldflags} value; may use the name placeholders: {@code -s -w -X
   * main.version={version}}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.ldflags")
  String ldflags;

  /**
   * Comma-separated Go build tags ({@code -tags}).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.tags")
  String tags;

  /**
   * Build with {@code -trimpath}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.trimpath", defaultValue = "false")
  boolean trimpath;

  /**
   * Further {@code go build} flags, space-separated: {@code -a -mod=vendor}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.buildFlags")
  String buildFlags;

  /**
   * Extra environment for {@code go build}, e.g. {@code <CGO_ENABLED>0</CGO_ENABLED>}. GOOS,
   * GOARCH, GOARM, GOAMD64, GOTOOLCHAIN, GOROOT and GOFLAGS are the rebuild's own.
   *
   * @since 0.1.0
   */
  @Parameter Map<String, String> env;

  /**
   * How binaries are packed; see the README. Without it, bare binaries are shipped.
   *
   * @since 0.1.0
   */
  @Parameter Archive archive;

  /**
   * The original release: a directory or a URL prefix holding its archives, or its container image
   * ({@code image:REF} in a registry, {@code oci-layout:DIR:REF}, {@code docker-archive:FILE}).
   * {@code rebuild:release} compares the rebuild with it: every rebuilt binary must equal the
   * original's binary of the same name and platform in dependencies and build settings. Without a
   * configured recipe ({@code <targets>} and {@code <archive>}), the recipe itself is read from it
   * (see {@link #inferRecipe}). Not set: no comparison.
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
   * Read the recipe from the {@link #original} release's own binaries and archives: {@code auto}
   * (default) does when an original is given and neither {@code <targets>} nor {@code <archive>} is
   * configured; {@code true} also with them (the configured values win over the original's); {@code
   * false} never.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.inferRecipe", defaultValue = "auto")
  String inferRecipe;

  /**
   * The files of an original release given as a URL prefix, comma-separated ({@code
   * kestrel_2.4.1_linux_amd64.tar.gz,kestrel_2.4.1_windows_amd64.zip}): a prefix cannot be listed.
   * Needed only to read the recipe from a URL prefix.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.originalFiles")
  String originalFiles;

  /**
   * The GitHub REST API root a {@code github:owner/name} {@link #original} is read through: {@code
   * https://api.github.com} (default, or {@code <publish><github><apiUrl>} when configured), or
   * {@code https://HOST/api/v3} for GitHub Enterprise Server. The token is the one publishing uses
   * (settings.xml server {@code github}, {@code GITHUB_TOKEN}, {@code GH_TOKEN}); a public release
   * needs none.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.originalApiUrl")
  String originalApiUrl;

  /**
   * Names binaries ship under when not the one {@code go build} gives them, comma-separated {@code
   * importpath=name} pairs: {@code example.com/kestrel/cmd/kestrel-cli=kestrel} ({@code .exe} is
   * added for Windows). GoReleaser names a binary after the project by default.
   *
   * @since 0.3.0
   */
  @Parameter(property = "rebuild.binaryNames")
  String binaryNames;

  /**
   * How many targets build at once. Default (0): the number of processors.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.parallelism", defaultValue = "0")
  int parallelism;

  /**
   * Where {@code <tag>/} with {@code dist/}, {@code SHA256SUMS} and {@code rebuild-manifest.json}
   * is written.
   *
   * @since 0.1.0
   */
  @Parameter(
      property = "rebuild.outputDirectory",
      defaultValue = "${project.build.directory}/rebuild")
  File outputDirectory;

  /**
   * A GOROOT to use first when looking for the requested Go.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.goroot")
  File goroot;

  /**
   * Where downloaded Go toolchains are kept. Default: {@code
   * ${XDG_CACHE_HOME:-~/.cache}/rebuild/go} ({@code ~/Library/Caches/rebuild/go} on macOS, {@code
   * %LocalAppData%\rebuild\go} on Windows).
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.toolchainCache")
  File toolchainCache;

  /**
   * Never download a toolchain: use only installed or cached ones. Maven's own {@code -o} implies
   * it.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.offline", defaultValue = "false")
  boolean offline;

  /**
   * The Go release list (go.dev's JSON format) as a URL or a file, for mirrors. Default: {@code
   * https://go.dev/dl/?mode=json&include=all}; when it cannot be read, the Go module proxy's
   * version list of {@code golang.org/toolchain}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.goReleases")
  String goReleases;

  /**
   * The base URL of official Go archives. Default: {@code https://go.dev/dl/}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.goDownloadBase")
  String goDownloadBase;

  /**
   * The checksum database for {@code golang.org/toolchain} module zips, as {@code GOSUMDB} takes
   * it, or {@code off}. Default: {@code GOSUMDB} from the environment, else {@code sum.golang.org}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.goSumdb")
  String goSumdb;

  /**
   * The sha256 the downloaded toolchain file (official archive, else module zip) must have. Needed
   * when neither a release list nor a checksum database can vouch for it.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.goSha256")
  String goSha256;

  /**
   * Hash a cached toolchain's files again before using it and compare them with the hash recorded
   * when it was downloaded, verified and cached; a toolchain changed since is refused (delete its
   * cache directory to have it downloaded again). Done anyway, without this, when the toolchain
   * cache is writable by group or others. Costs a read of the toolchain (about 250 MB) per use.
   *
   * @since 0.2.0
   */
  @Parameter(property = "rebuild.verifyCache", defaultValue = "false")
  boolean verifyCache;

  /**
   * Skip the goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "rebuild.skip", defaultValue = "false")
  boolean skip;

  RebuildRequest request() throws MojoFailureException {
    String theTag = cli("tag", tag);
    String theGo = cli("go", go);
    if (theTag == null || theTag.isBlank()) {
      throw new MojoFailureException(
          "No tag given. Pass the release tag to rebuild: -Dtag=v1.3.0 (or <tag> in the plugin"
              + " configuration).");
    }
    if (theGo == null || theGo.isBlank()) {
      throw new MojoFailureException(
          "No Go version given. Pass the Go to rebuild with: -Dgo=1.22.12 (or <go> in the plugin"
              + " configuration).");
    }
    Path base = baseDirectory();
    String src = cli("rebuild.source", source);
    if (src == null || src.isBlank()) {
      src = base.toString();
    } else if (!src.contains("://") && !src.matches("^[\\w.-]+@[\\w.-]+:.*")) {
      src = base.resolve(src).normalize().toString();
    }
    Path outDir = outputRoot(outputDirectory);
    int par = Integer.parseInt(cli("rebuild.parallelism", Integer.toString(parallelism)));
    RebuildRequest.Inference inference = inference();
    return new RebuildRequest(
        src,
        theTag.trim(),
        theGo.trim(),
        inference == null ? recipe() : null,
        outDir,
        par > 0 ? par : Runtime.getRuntime().availableProcessors(),
        inference);
  }

  /**
   * {@link #original} as given, a directory (or the directory or file of an {@code oci-layout:} or
   * {@code docker-archive:} image) resolved against the base directory; or null.
   */
  String originalLocation() {
    String orig = cli("rebuild.original", original);
    if (orig == null || orig.isBlank()) {
      return null;
    }
    orig = orig.trim();
    for (String local : List.of("oci-layout:", "docker-archive:")) {
      if (orig.startsWith(local)) {
        return local + baseDirectory().resolve(orig.substring(local.length())).normalize();
      }
    }
    if (orig.contains("://") || orig.startsWith(IMAGE) || orig.startsWith(OriginalRelease.GITHUB)) {
      return orig;
    }
    return baseDirectory().resolve(orig).normalize().toString();
  }

  /** The prefix of an original release given as an image in a registry. */
  static final String IMAGE = "image:";

  /** The image an original location names, as the image reader takes it; null for files. */
  static String originalImage(String location) {
    if (location == null) {
      return null;
    }
    if (location.startsWith(IMAGE)) {
      return location.substring(IMAGE.length());
    }
    return location.startsWith("oci-layout:") || location.startsWith("docker-archive:")
        ? location
        : null;
  }

  /**
   * The original release at {@code location}, read with redirects followed; downloads a checksum
   * list vouches for are kept by sha256 in {@code originals/} beside the toolchain cache.
   */
  OriginalRelease originalRelease(String location) throws MojoFailureException {
    Path cache =
        ToolchainSettings.builder()
            .environment(System.getenv())
            .build()
            .effectiveCacheDir()
            .resolveSibling("originals");
    OriginalRelease release =
        new OriginalRelease(
                location == null ? "" : location,
                cli("rebuild.originalGo", originalGo),
                HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build())
            .withCache(cache);
    if (location == null || !location.startsWith(OriginalRelease.GITHUB)) {
      return release;
    }
    return release.withGitHub(githubApi(location.substring(OriginalRelease.GITHUB.length())));
  }

  /**
   * The GitHub REST API a {@code github:} original is read through: {@link #originalApiUrl}, else
   * {@code <publish><github><apiUrl>}, else api.github.com; the token as publishing finds it (the
   * settings.xml server {@code github}, then GITHUB_TOKEN, then GH_TOKEN), none for a public
   * release.
   */
  private GitHubApi githubApi(String repository) throws MojoFailureException {
    String configured = cli("rebuild.originalApiUrl", originalApiUrl);
    if ((configured == null || configured.isBlank())
        && publish != null
        && publish.github != null
        && publish.github.apiUrl != null
        && !publish.github.apiUrl.isBlank()) {
      configured = publish.github.apiUrl;
    }
    String token;
    URI api;
    try {
      api =
          configured == null || configured.isBlank()
              ? GitHubSettings.GITHUB_API
              : URI.create(configured.strip());
      new GitHubSettings(repository.strip(), null, api, null, null, false).check();
      token = PublishDestinations.token("github", false, publishContext());
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException(
          "Bad <originalApiUrl> / -Drebuild.originalApiUrl '"
              + configured
              + "': "
              + e.getMessage());
    } catch (RebuildException e) {
      throw new MojoFailureException(
          "Bad -Drebuild.original=github:"
              + repository
              + " (or its API URL, -Drebuild.originalApiUrl): "
              + e.getMessage());
    }
    return gitHubApi(api, token);
  }

  /** Where to read the recipe from, or null when the configured recipe is used. */
  RebuildRequest.Inference inference() throws MojoFailureException {
    String location = originalLocation();
    String mode = cli("rebuild.inferRecipe", inferRecipe);
    String t = cli("rebuild.targets", targets);
    boolean infer =
        switch (mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT)) {
          case "true" -> true;
          case "false" -> false;
          case "auto" -> location != null && archive == null && (t == null || t.isBlank());
          default ->
              throw new MojoFailureException(
                  "Bad <inferRecipe> / -Drebuild.inferRecipe '"
                      + mode
                      + "': use auto, true or false.");
        };
    if (!infer) {
      return null;
    }
    if (location == null) {
      throw new MojoFailureException(
          "-Drebuild.inferRecipe=true reads the recipe from the original release, and none is"
              + " given: pass -Drebuild.original=<directory or URL prefix> (<original>).");
    }
    String trim = cli("rebuild.trimpath", null);
    return new RebuildRequest.Inference(
        originalRelease(location),
        split(cli("rebuild.originalFiles", originalFiles), "[,\\s]+"),
        new RecipeOverrides(
            cli("rebuild.projectName", projectName),
            t == null || t.isBlank() ? null : targetList(t),
            orNull(split(cli("rebuild.packages", packages), "[,\\s]+")),
            ldflagsTemplate(),
            orNull(split(cli("rebuild.tags", tags), "[,\\s]+")),
            trim != null ? Boolean.valueOf(Boolean.parseBoolean(trim)) : trimpath ? true : null,
            cli("rebuild.buildFlags", buildFlags) == null
                ? null
                : split(cli("rebuild.buildFlags", buildFlags), "\\s+"),
            env == null ? null : new TreeMap<>(env),
            archiveSpec(),
            binaryNameMap()),
        originalImage(location),
        registries(),
        labelTemplate());
  }

  /** The rebuild label's template: the default here; the release goals take {@code <label>}. */
  String labelTemplate() throws MojoFailureException {
    return ReleaseNames.DEFAULT_LABEL;
  }

  private static List<String> orNull(List<String> values) {
    return values.isEmpty() ? null : values;
  }

  Recipe recipe() throws MojoFailureException {
    return recipe(cli("rebuild.targets", targets));
  }

  private static List<Platform> targetList(String t) throws MojoFailureException {
    List<Platform> platforms;
    try {
      platforms = Platform.parseList(t);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Bad <targets> / -Drebuild.targets: " + e.getMessage());
    }
    if (platforms.isEmpty()) {
      throw new MojoFailureException("<targets> / -Drebuild.targets lists no target");
    }
    return platforms;
  }

  private NameTemplate ldflagsTemplate() throws MojoFailureException {
    String l = cli("rebuild.ldflags", ldflags);
    try {
      return l == null ? null : NameTemplate.parse(l.trim(), NameTemplate.LDFLAGS_PLACEHOLDERS);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Bad <ldflags> / -Drebuild.ldflags: " + e.getMessage());
    }
  }

  /** The recipe with {@code t} (comma-separated) as its targets; null or blank: this machine. */
  Recipe recipe(String t) throws MojoFailureException {
    List<Platform> platforms =
        t == null || t.isBlank() ? List.of(HostPlatform.detect()) : targetList(t);
    NameTemplate ld = ldflagsTemplate();
    ArchiveSpec spec = archiveSpec();
    boolean trim = Boolean.parseBoolean(cli("rebuild.trimpath", Boolean.toString(trimpath)));
    return new Recipe(
        cli("rebuild.projectName", projectName),
        platforms,
        split(cli("rebuild.packages", packages), "[,\\s]+"),
        ld,
        split(cli("rebuild.tags", tags), "[,\\s]+"),
        trim,
        split(cli("rebuild.buildFlags", buildFlags), "\\s+"),
        new TreeMap<>(env == null ? Map.of() : env),
        spec,
        new TreeMap<>(),
        binaryNameMap());
  }

  /** {@link #binaryNames} parsed. */
  private TreeMap<String, String> binaryNameMap() throws MojoFailureException {
    TreeMap<String, String> out = new TreeMap<>();
    for (String pair : split(cli("rebuild.binaryNames", binaryNames), "[,\\s]+")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? "" : pair.substring(eq + 1);
      if (eq <= 0 || name.isEmpty() || name.contains("/") || name.contains("\\")) {
        throw new MojoFailureException(
            "Bad <binaryNames> / -Drebuild.binaryNames entry '"
                + pair
                + "': write importpath=name, e.g. example.com/kestrel/cmd/kestrel-cli=kestrel");
      }
      out.put(pair.substring(0, eq), name);
    }
    return out;
  }

  private ArchiveSpec archiveSpec() throws MojoFailureException {
    ArchiveSpec spec = null;
    if (archive != null) {
      try {
        spec =
            ArchiveSpec.parse(
                archive.name, archive.format, archive.formatOverrides, archive.binDir);
      } catch (IllegalArgumentException e) {
        throw new MojoFailureException(
            "Bad <archive> configuration: "
                + e.getMessage()
                + "\nSee the README for <archive><name>, <format>, <formatOverrides>, <binDir>.");
      }
    }
    return spec;
  }

  private static List<String> split(String value, String regex) {
    List<String> out = new ArrayList<>();
    if (value != null) {
      for (String part : value.trim().split(regex)) {
        if (!part.isBlank()) {
          out.add(part);
        }
      }
    }
    return out;
  }

  ProcessRunner runner() {
    return new CommonsExecProcessRunner();
  }

  ToolchainProvider toolchains() throws MojoFailureException {
    String root = cli("rebuild.goroot", goroot == null ? null : goroot.getPath());
    String cache =
        cli("rebuild.toolchainCache", toolchainCache == null ? null : toolchainCache.getPath());
    String base = cli("rebuild.goDownloadBase", goDownloadBase);
    ToolchainSettings settings;
    try {
      settings =
          ToolchainSettings.builder()
              .goroot(root == null ? null : baseDirectory().resolve(root))
              .extraGoroots(toolchainsXmlGoroots())
              .cacheDir(cache == null ? null : baseDirectory().resolve(cache))
              .offline(offline(offline))
              .releaseList(cli("rebuild.goReleases", goReleases))
              .downloadBase(base == null ? null : URI.create(base))
              .sumdb(cli("rebuild.goSumdb", goSumdb))
              .pinnedSha256(cli("rebuild.goSha256", goSha256))
              .verifyCache(
                  Boolean.parseBoolean(cli("rebuild.verifyCache", Boolean.toString(verifyCache))))
              .environment(System.getenv())
              .build();
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Bad toolchain configuration: " + e.getMessage());
    }
    return new ToolchainStore(settings, runner(), new MavenToolchainListener(getLog()));
  }

  /** GOROOTs of {@code toolchains.xml} entries of type {@code go}. */
  List<Path> toolchainsXmlGoroots() {
    List<Path> out = new ArrayList<>();
    Map<String, List<ToolchainModel>> all = session.getRequest().getToolchains();
    if (all == null) {
      return out;
    }
    for (ToolchainModel model : all.getOrDefault("go", List.of())) {
      if (model.getConfiguration() instanceof Xpp3Dom dom) {
        for (String key : List.of("goRoot", "goroot", "home")) {
          Xpp3Dom child = dom.getChild(key);
          if (child != null && child.getValue() != null && !child.getValue().isBlank()) {
            out.add(Path.of(child.getValue().trim()));
            break;
          }
        }
      }
    }
    return out;
  }

  /** The pipeline on this machine's processes, toolchains and environment. */
  ReleasePipeline pipeline() throws MojoFailureException {
    return new ReleasePipeline(
        runner(), toolchains(), new BuildInfoInspector(), System.getenv(), listener());
  }
}
