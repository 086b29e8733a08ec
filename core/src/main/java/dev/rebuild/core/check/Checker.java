package dev.rebuild.core.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.buildinfo.ScannedFile;
import dev.rebuild.core.check.CheckResult.PublishedBuild;
import dev.rebuild.core.check.CheckResult.Status;
import dev.rebuild.core.image.ImageException;
import dev.rebuild.core.image.ImageInspector;
import dev.rebuild.core.image.ImageReference;
import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.OriginalRelease;
import dev.rebuild.core.toolchain.GoRelease;
import dev.rebuild.core.toolchain.GoReleaseList;
import dev.rebuild.core.verify.Verifier;
import dev.rebuild.core.vuln.Finding;
import dev.rebuild.core.vuln.ScanResult;
import dev.rebuild.core.vuln.ScanTarget;
import dev.rebuild.core.vuln.VulnerabilityDatabaseException;
import dev.rebuild.core.vuln.VulnerabilityScanner;
import dev.rebuild.core.vuln.VulnerabilitySource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides whether a published release needs a security rebuild, with which Go and under which
 * label. It reads what is published (local copies of archives and binaries, committed tag
 * directories, container images), scans the newest published build against the Go vulnerability
 * database, and picks a Go from the release list by a {@link GoPolicy}. It builds and writes
 * nothing.
 */
public final class Checker {

  /** The configuration key of local copies, for {@link RebuildException#parameter()}. */
  public static final String PUBLISHED = "published";

  /** The configuration key of images, for {@link RebuildException#parameter()}. */
  public static final String IMAGES = "publishedImages";

  /** The configuration key of GitHub repositories, for {@link RebuildException#parameter()}. */
  public static final String GITHUB = "publishedGitHub";

  private static final Pattern GITHUB_REPOSITORY =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}");

  /** The configuration key of the label template, for {@link RebuildException#parameter()}. */
  public static final String LABEL = "label";

  /** A rebuild manifest is a few hundred KiB at most. */
  static final int MAX_MANIFEST_BYTES = 16 << 20;

  private final ArtifactScanner files;
  private final ImageInspector images;
  private final GitHubApi github;
  private final VulnerabilitySource database;
  private final GoReleaseList releases;
  private final ReleaseListener listener;
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(30))
          .build();

  /** A checker that reads no GitHub releases. */
  public Checker(
      ArtifactScanner files,
      ImageInspector images,
      VulnerabilitySource database,
      GoReleaseList releases,
      ReleaseListener listener) {
    this(files, images, null, database, releases, listener);
  }

  /**
   * @param images reads container images; null when no release names any
   * @param github reads GitHub releases; null when no release names a repository
   * @param releases the Go releases, the source of "supported" and of the Go to choose
   */
  public Checker(
      ArtifactScanner files,
      ImageInspector images,
      GitHubApi github,
      VulnerabilitySource database,
      GoReleaseList releases,
      ReleaseListener listener) {
    this.files = Objects.requireNonNull(files, "files");
    this.images = images;
    this.github = github;
    this.database = Objects.requireNonNull(database, "database");
    this.releases = Objects.requireNonNull(releases, "releases");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Checks every release.
   *
   * @param labelTemplate the rebuild label, {@code {tag}-go{goVersion}} by default; may use {@code
   *     {n}}
   * @throws RebuildException BAD_INPUT for a bad label or a published path that does not exist;
   *     TOOL when the database, a file or a registry cannot be read
   */
  public CheckReport check(List<ReleaseToCheck> toCheck, GoPolicy policy, String labelTemplate)
      throws RebuildException {
    String template =
        labelTemplate == null || labelTemplate.isBlank()
            ? ReleaseNames.DEFAULT_LABEL
            : labelTemplate.trim();
    if (toCheck.isEmpty()) {
      throw RebuildException.badInput(ReleasesFile.PARAMETER, "no release to check");
    }
    List<String> supported = supportedLines();
    List<CheckResult> results = new ArrayList<>();
    for (ReleaseToCheck r : toCheck) {
      results.add(check(r, policy, template, supported));
    }
    return new CheckReport(
        policy, template, Redaction.redact(database.location()), supported, results);
  }

  /** The two newest Go minors with a stable release, newest first ({@code 1.26}, {@code 1.25}). */
  List<String> supportedLines() throws RebuildException {
    List<String> lines = new ArrayList<>();
    for (GoRelease r : releases.releases()) {
      if (r.stable() && r.version().isStable() && !lines.contains(r.version().line())) {
        lines.add(r.version().line());
      }
      if (lines.size() == 2) {
        break;
      }
    }
    if (lines.isEmpty()) {
      throw RebuildException.badInput(
          "goReleases", "the Go release list names no stable release; give a complete list");
    }
    return lines;
  }

  /**
   * A Go binary found among what is published.
   *
   * @param label the rebuild label it was published under (an image tag); null when none
   * @param ours whether it is known to be a rebuild (a committed tag directory)
   */
  private record Found(String where, BuildInfo info, String label, boolean ours) {}

  private CheckResult check(
      ReleaseToCheck r, GoPolicy policy, String template, List<String> supported)
      throws RebuildException {
    ReleaseNames names = new ReleaseNames(r.project(), r.tag(), "0");
    Pattern labels;
    try {
      labels = names.labelPattern(template);
    } catch (IllegalArgumentException e) {
      throw RebuildException.badInput(LABEL, e.getMessage());
    }
    List<Found> found = new ArrayList<>();
    List<String> nothing = new ArrayList<>();
    for (Path p : r.published()) {
      readLocal(r, p, found, nothing);
    }
    for (URI url : r.urls()) {
      readUrl(r, url, found, nothing);
    }
    for (String image : r.images()) {
      readImages(r, image, labels, found, nothing);
    }
    for (String repo : r.github()) {
      readGitHub(r, repo, labels, found, nothing);
    }
    TreeMap<GoVersion, List<Found>> byGo = new TreeMap<>();
    List<Found> unknown = new ArrayList<>();
    for (Found f : found) {
      GoVersion v = GoVersion.parseOrNull(f.info().goVersion());
      if (v == null) {
        unknown.add(f);
      } else {
        byGo.computeIfAbsent(v, k -> new ArrayList<>()).add(f);
      }
    }
    List<PublishedBuild> builds = new ArrayList<>();
    int highest = 0;
    int i = 0;
    for (Map.Entry<GoVersion, List<Found>> e : byGo.entrySet()) {
      Set<String> seen = new TreeSet<>();
      boolean ours = false;
      for (Found f : e.getValue()) {
        ours |= f.ours();
        if (f.label() != null) {
          seen.add(f.label());
          Matcher m = labels.matcher(f.label());
          if (m.matches() && template.contains("{" + ReleaseNames.COUNTER + "}")) {
            highest = Math.max(highest, Integer.parseInt(m.group("n")));
          }
        }
      }
      boolean rebuild = i++ > 0 || ours || !seen.isEmpty();
      builds.add(
          new PublishedBuild(
              e.getKey().toString(),
              rebuild,
              List.copyOf(seen),
              e.getValue().stream().map(Found::where).sorted().toList()));
    }
    highest = Math.max(highest, (int) builds.stream().filter(PublishedBuild::rebuild).count());
    if (!unknown.isEmpty()) {
      builds.add(
          new PublishedBuild(
              unknown.get(0).info().goVersion(),
              false,
              List.of(),
              unknown.stream().map(Found::where).sorted().toList()));
    }
    String sources = describeSources(r);
    if (found.isEmpty()) {
      return problem(
          r,
          Status.NO_GO_BINARIES,
          "no Go binary found in "
              + sources
              + (nothing.isEmpty() ? "" : " (" + String.join("; ", nothing) + ")")
              + "; name the directories, archives or images the release is published as",
          builds);
    }
    if (byGo.isEmpty()) {
      return problem(
          r,
          Status.UNKNOWN_GO,
          "the published binaries were built with '"
              + unknown.get(0).info().goVersion()
              + "', which is no Go release ("
              + unknown.get(0).where()
              + "): their standard library cannot be judged; rebuild them once with a Go release"
              + " (rebuild:release -Dgo=...)",
          builds);
    }
    GoVersion current = byGo.lastKey();
    List<Found> newest = byGo.get(current);
    Set<String> platforms = new TreeSet<>();
    Set<Finding> stdlib = new TreeSet<>();
    Set<Finding> modules = new TreeSet<>();
    VulnerabilityScanner scanner = new VulnerabilityScanner(database);
    for (Found f : newest) {
      platforms.add(platform(f.info()));
      for (Finding finding : scan(scanner, Verifier.scanTarget(f.where(), f.info())).findings()) {
        (finding.isStdlib() ? stdlib : modules).add(finding);
      }
    }
    List<Finding> fixable = stdlib.stream().filter(Finding::fixable).toList();
    List<Finding> unfixable = stdlib.stream().filter(f -> !f.fixable()).toList();
    List<Finding> project = List.copyOf(modules);
    String projectNote =
        project.isEmpty()
            ? ""
            : "; module dependencies need a new project release, not a rebuild: "
                + upgrades(project);
    if (!unknown.isEmpty()) {
      projectNote +=
          "; binaries built with '"
              + unknown.get(0).info().goVersion()
              + "' (no Go release) were not judged: "
              + unknown.get(0).where();
    }
    CheckResult judged =
        new CheckResult(
            r.name(),
            r.tag(),
            Status.NOT_DUE,
            "",
            current.number(),
            List.copyOf(platforms),
            builds,
            fixable,
            unfixable,
            project,
            null,
            null,
            null);
    if (fixable.isEmpty()) {
      return judged.decided(
          project.isEmpty() ? Status.NOT_DUE : Status.NEEDS_PROJECT_RELEASE,
          "the newest published build ("
              + current
              + ") has no standard-library vulnerability that a newer Go fixes"
              + projectNote,
          null,
          null,
          null);
    }
    String ids = fixable.stream().map(Finding::id).distinct().collect(Collectors.joining(", "));
    Choice choice = choose(policy, current, platforms, supported, scanner);
    if (choice.go() == null) {
      return judged.decided(
          Status.NO_GO_FIXES,
          current + " has " + ids + "; " + choice.why() + projectNote,
          null,
          null,
          null);
    }
    ReleaseNames chosen = new ReleaseNames(r.project(), r.tag(), choice.go().number());
    String label;
    try {
      label = chosen.label(template, highest + 1);
    } catch (IllegalArgumentException e) {
      throw RebuildException.badInput(LABEL, e.getMessage());
    }
    Optional<String> invalid = ReleaseNames.labelProblem(label);
    if (invalid.isPresent()) {
      throw RebuildException.badInput(LABEL, invalid.get());
    }
    String command =
        "mvn rebuild:release -Dtag="
            + r.tag()
            + " -Dgo="
            + choice.go().number()
            + (template.equals(ReleaseNames.DEFAULT_LABEL) ? "" : " -Drebuild.label=" + label);
    return judged.decided(
        Status.DUE,
        current
            + " has "
            + ids
            + "; "
            + choice.go()
            + " fixes "
            + (fixable.size() == 1 ? "it" : "them")
            + " ("
            + choice.why()
            + ")"
            + projectNote,
        choice.go().number(),
        label,
        command);
  }

  private static CheckResult problem(
      ReleaseToCheck r, Status status, String reason, List<PublishedBuild> builds) {
    return new CheckResult(
        r.name(), r.tag(), status, reason, null, List.of(), builds, List.of(), List.of(), List.of(),
        null, null, null);
  }

  /** The Go a policy picks, or null with why none qualifies. */
  record Choice(GoVersion go, String why) {}

  Choice choose(
      GoPolicy policy,
      GoVersion current,
      Set<String> platforms,
      List<String> supported,
      VulnerabilityScanner scanner)
      throws RebuildException {
    String supportedText = "supported: " + String.join(", ", supported);
    switch (policy) {
      case PATCH -> {
        if (!supported.contains(current.line())) {
          return new Choice(
              null,
              "goPolicy=patch allows only Go "
                  + current.line()
                  + ".x, which is no longer supported ("
                  + supportedText
                  + "); use goPolicy=minor to move to a supported minor");
        }
        GoVersion newest = newestOf(current.line());
        List<String> left = remaining(newest, platforms, scanner);
        return left.isEmpty()
            ? new Choice(newest, "goPolicy=patch: the newest " + current.line() + ".x")
            : new Choice(
                null,
                "goPolicy=patch: "
                    + newest
                    + ", the newest "
                    + current.line()
                    + ".x, still has "
                    + String.join(", ", left)
                    + "; use goPolicy=minor");
      }
      case LATEST -> {
        GoVersion newest = newestOf(null);
        List<String> left = remaining(newest, platforms, scanner);
        return left.isEmpty()
            ? new Choice(newest, "goPolicy=latest: the newest Go release")
            : new Choice(
                null,
                "goPolicy=latest: "
                    + newest
                    + ", the newest Go release, still has "
                    + String.join(", ", left)
                    + "; no Go release fixes everything yet");
      }
      default -> {
        List<String> tried = new ArrayList<>();
        List<GoVersion> lines =
            supported.stream()
                .map(GoVersion::parse)
                .filter(l -> l.minor() >= current.minor() && l.major() == current.major())
                .sorted()
                .toList();
        for (GoVersion line : lines) {
          GoVersion newest = newestOf(line.line());
          List<String> left = remaining(newest, platforms, scanner);
          if (left.isEmpty()) {
            return new Choice(
                newest,
                "goPolicy=minor: the oldest supported minor that fixes everything fixable; "
                    + supportedText);
          }
          tried.add(newest + " still has " + String.join(", ", left));
        }
        return new Choice(
            null,
            "goPolicy=minor: no supported Go fixes everything ("
                + supportedText
                + (!supported.contains(current.line())
                    ? "; " + current.line() + " is no longer supported"
                    : "")
                + (tried.isEmpty() ? "" : "; " + String.join("; ", tried))
                + "); wait for the next Go security release or use goPolicy=latest");
      }
    }
  }

  private GoVersion newestOf(String line) {
    return releases
        .newestStable(line == null ? null : GoVersion.parse(line))
        .map(GoRelease::version)
        .orElseThrow();
  }

  /**
   * The standard-library findings with a fix that {@code go} still has on any of {@code platforms}:
   * a rebuild with it would leave them.
   */
  private List<String> remaining(GoVersion go, Set<String> platforms, VulnerabilityScanner scanner)
      throws RebuildException {
    Set<String> left = new TreeSet<>();
    for (String p : platforms) {
      String[] osArch = p.split("/", 2);
      ScanTarget stdlibOnly =
          new ScanTarget(
              go.toString(),
              go.toString(),
              osArch[0].equals("?") ? "" : osArch[0],
              osArch.length < 2 || osArch[1].equals("?") ? "" : osArch[1],
              List.of());
      scan(scanner, stdlibOnly).findings().stream()
          .filter(Finding::fixable)
          .map(Finding::id)
          .forEach(left::add);
    }
    return List.copyOf(left);
  }

  private static ScanResult scan(VulnerabilityScanner scanner, ScanTarget target)
      throws RebuildException {
    try {
      return scanner.scan(target);
    } catch (VulnerabilityDatabaseException e) {
      throw new RebuildException(RebuildException.Kind.TOOL, Verifier.VULNDB, e.getMessage(), e);
    }
  }

  private static String platform(BuildInfo info) {
    return (info.goos() == null ? "?" : info.goos())
        + "/"
        + (info.goarch() == null ? "?" : info.goarch());
  }

  private static String binaries(int n) {
    return n + (n == 1 ? " Go binary" : " Go binaries");
  }

  private static String upgrades(List<Finding> findings) {
    return findings.stream()
        .map(
            f ->
                f.id()
                    + " in "
                    + f.module()
                    + " "
                    + f.foundVersion()
                    + (f.fixable() ? " (fixed in " + f.fixedIn() + ")" : " (no fix yet)"))
        .distinct()
        .collect(Collectors.joining(", "));
  }

  private static String describeSources(ReleaseToCheck r) {
    List<String> all = new ArrayList<>();
    r.published().forEach(p -> all.add(p.toString()));
    r.urls().forEach(u -> all.add(Redaction.redact(u.toString())));
    all.addAll(r.images().stream().map(Redaction::redact).toList());
    r.github().forEach(g -> all.add("github:" + g));
    return String.join(", ", all);
  }

  /**
   * Reads a local copy: a committed tag directory (or its manifest) through its {@code dist/},
   * anything else file by file.
   */
  private void readLocal(ReleaseToCheck r, Path p, List<Found> found, List<String> nothing)
      throws RebuildException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw RebuildException.badInput(
          PUBLISHED,
          r.name()
              + ": "
              + p
              + " does not exist; name existing directories, archives, binaries or tag directories"
              + " (with rebuild-manifest.json)");
    }
    Path manifestFile =
        Files.isDirectory(p)
            ? p.resolve(ReleaseManifest.FILE)
            : p.getFileName().toString().equals(ReleaseManifest.FILE) ? p : null;
    Path scanRoot = p;
    boolean ours = false;
    String label = null;
    if (manifestFile != null && Files.isRegularFile(manifestFile)) {
      ReleaseManifest m = readManifest(manifestFile);
      if (!r.tag().equals(m.tag())) {
        throw RebuildException.badInput(
            PUBLISHED,
            r.name()
                + ": "
                + manifestFile
                + " is a rebuild of "
                + m.tag()
                + ", not of "
                + r.tag()
                + "; name the tag directory of "
                + r.tag());
      }
      scanRoot = manifestFile.getParent().resolve("dist");
      ours = true;
      label = m.label().orElse(null);
      if (!Files.isDirectory(scanRoot)) {
        nothing.add(manifestFile.getParent() + " has no dist/");
        return;
      }
    }
    List<ScannedFile> scanned;
    try {
      scanned = files.scan(scanRoot);
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + scanRoot + ": " + e, e);
    }
    // A directory's files are named below it; an archive's members after its own name.
    String prefix = Files.isDirectory(scanRoot) ? scanRoot.getFileName() + "/" : "";
    int before = found.size();
    for (ScannedFile f : scanned) {
      if (f.result() instanceof ReadResult.GoBinary go) {
        found.add(new Found(prefix + f.path(), go.info(), label, ours));
      }
    }
    if (found.size() == before) {
      nothing.add(scanned.size() + " files in " + scanRoot + ", none a Go binary");
    }
    listener.info(r.name() + ": read " + scanRoot + ": " + binaries(found.size() - before));
  }

  /** Downloads one published file into a temporary directory, reads it and deletes it. */
  private void readUrl(ReleaseToCheck r, URI url, List<Found> found, List<String> nothing)
      throws RebuildException {
    String text = url.toString();
    int slash = text.lastIndexOf('/');
    String name = text.substring(slash + 1);
    OriginalRelease prefix = new OriginalRelease(text.substring(0, slash + 1), null, http);
    readDownload(
        r,
        Redaction.redact(text),
        work -> prefix.download(work, name),
        null,
        false,
        found,
        nothing);
  }

  /** Fetches one file into a given directory. */
  @FunctionalInterface
  interface Download {
    Path into(Path work) throws RebuildException;
  }

  /**
   * Reads the Go binaries of a file {@code download} fetches into a temporary directory, deleted
   * afterwards.
   *
   * @param where how reports name the file
   */
  private void readDownload(
      ReleaseToCheck r,
      String where,
      Download download,
      String label,
      boolean ours,
      List<Found> found,
      List<String> nothing)
      throws RebuildException {
    Path work;
    try {
      work = Files.createTempDirectory("rebuild-check-");
    } catch (IOException e) {
      throw RebuildException.tool("cannot create a temporary directory: " + e.getMessage(), e);
    }
    try {
      Path file = download.into(work);
      String name = file.getFileName().toString();
      List<ScannedFile> scanned;
      try {
        scanned = files.scan(file);
      } catch (IOException e) {
        throw RebuildException.tool("cannot read " + where + ": " + e, e);
      }
      int before = found.size();
      for (ScannedFile f : scanned) {
        if (f.result() instanceof ReadResult.GoBinary go) {
          String member = f.path().startsWith(name) ? f.path().substring(name.length()) : "";
          found.add(new Found(where + member, go.info(), label, ours));
        }
      }
      if (found.size() == before) {
        nothing.add(where + " holds no Go binary");
      }
      listener.info(r.name() + ": read " + where + ": " + binaries(found.size() - before));
    } finally {
      try {
        FileTrees.deleteTree(work);
      } catch (IOException e) {
        listener.info("could not delete " + work + ": " + e.getMessage());
      }
    }
  }

  /**
   * Reads the GitHub releases of {@code repo} ({@code owner/name}) through the API: the release of
   * the tag (its own assets and any a rebuild attached) and the releases tagged with a label.
   * Drafts are not published and are skipped; so are assets that cannot hold a Go binary
   * (checksums, signatures, manifests, notes).
   */
  private void readGitHub(
      ReleaseToCheck r, String repo, Pattern labels, List<Found> found, List<String> nothing)
      throws RebuildException {
    if (!GITHUB_REPOSITORY.matcher(repo).matches()) {
      throw RebuildException.badInput(
          GITHUB, r.name() + ": '" + repo + "' is no GitHub repository; write owner/name");
    }
    if (github == null) {
      throw new IllegalStateException("no GitHub API to read " + repo);
    }
    List<JsonNode> releases;
    try {
      releases = github.list(github.at("/repos/" + repo + "/releases?per_page=100"));
    } catch (GitHubApi.ApiException e) {
      throw new RebuildException(
          e.status() == 404 ? RebuildException.Kind.BAD_INPUT : RebuildException.Kind.TOOL,
          GITHUB,
          r.name()
              + ": cannot list the releases of "
              + repo
              + " at "
              + github.root()
              + ": "
              + e.getMessage()
              + (e.status() == 404 || e.status() == 401
                  ? "; check the repository name and the token (GITHUB_TOKEN or GH_TOKEN)"
                  : ""),
          e);
    }
    int read = 0;
    for (JsonNode release : releases) {
      String tagName = release.path("tag_name").asText("");
      boolean original = tagName.equals(r.tag());
      if (release.path("draft").asBoolean(false)
          || !(original || labels.matcher(tagName).matches())) {
        continue;
      }
      read++;
      for (JsonNode asset : release.path("assets")) {
        String name = asset.path("name").asText("");
        if (!mayHoldBinaries(name)) {
          continue;
        }
        String where = "github:" + repo + "@" + tagName + "/" + name;
        if (asset.path("size").asLong(0) > ArchiveLimits.ORIGINAL_ARTIFACT_BYTES) {
          throw RebuildException.badInput(
              GITHUB,
              where
                  + " is larger than "
                  + ArchiveLimits.describe(ArchiveLimits.ORIGINAL_ARTIFACT_BYTES)
                  + ": not a release artifact this check reads");
        }
        URI url = URI.create(asset.path("url").asText());
        readDownload(
            r,
            where,
            work -> {
              Path file =
                  work.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.+", "_"));
              try {
                github.download(
                    url,
                    in -> {
                      try (OutputStream out = Files.newOutputStream(file)) {
                        new LimitedInputStream(in, ArchiveLimits.ORIGINAL_ARTIFACT_BYTES, where)
                            .transferTo(out);
                      }
                    });
              } catch (GitHubApi.ApiException e) {
                throw new RebuildException(
                    RebuildException.Kind.TOOL,
                    GITHUB,
                    "cannot download " + where + ": " + e.getMessage(),
                    e);
              }
              return file;
            },
            original ? null : tagName,
            !original,
            found,
            nothing);
      }
    }
    if (read == 0) {
      nothing.add(
          "github:"
              + repo
              + " has no published release "
              + r.tag()
              + " nor one matching "
              + labels.pattern()
              + " ("
              + releases.size()
              + " releases)");
    }
  }

  /** Whether a release asset may hold Go binaries: not a checksum, signature or document. */
  static boolean mayHoldBinaries(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return !(n.contains("sha256sums")
        || n.contains("checksums")
        || n.matches(
            ".*\\.(txt|json|jsonl|md|sig|asc|pem|crt|sbom|spdx|sha256|sha512|sha1|md5|intoto\\.jsonl)$"));
  }

  private static ReleaseManifest readManifest(Path file) throws RebuildException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
      if (bytes.length > MAX_MANIFEST_BYTES) {
        throw RebuildException.badInput(
            PUBLISHED, file + " holds more than 16 MiB: not a rebuild manifest");
      }
      return ReleaseManifest.read(bytes);
    } catch (IOException e) {
      throw RebuildException.badInput(
          PUBLISHED, file + " cannot be read as a rebuild manifest: " + e.getMessage());
    }
  }

  /**
   * Reads an image, or every image of a repository that is the release (tag {@code tag}) or one of
   * its rebuilds (a tag the label template gives).
   */
  private void readImages(
      ReleaseToCheck r, String image, Pattern labels, List<Found> found, List<String> nothing)
      throws RebuildException {
    if (images == null) {
      throw new IllegalStateException("no image inspector to read " + image);
    }
    List<String> refs = new ArrayList<>();
    Map<String, String> labelOf = new TreeMap<>();
    try {
      boolean single = image.startsWith("oci-layout:") || image.startsWith("docker-archive:");
      ImageReference ref = single ? null : ImageReference.parse(image);
      if (single || ref.tag() != null || ref.digest() != null) {
        refs.add(image);
        if (ref != null && ref.tag() != null && labels.matcher(ref.tag()).matches()) {
          labelOf.put(image, ref.tag());
        }
      } else {
        List<String> tags = images.tags(ref);
        for (String t : tags) {
          if (t.equals(r.tag()) || labels.matcher(t).matches()) {
            String full = ref.withTag(t).toString();
            refs.add(full);
            if (!t.equals(r.tag())) {
              labelOf.put(full, t);
            }
          }
        }
        if (refs.isEmpty()) {
          nothing.add(
              Redaction.redact(image)
                  + " has no tag "
                  + r.tag()
                  + " nor one matching "
                  + labels.pattern()
                  + " ("
                  + tags.size()
                  + " tags)");
        }
      }
      for (String one : refs) {
        List<ImageInspector.ImageBinary> bins = images.goBinaries(one);
        for (ImageInspector.ImageBinary b : bins) {
          found.add(
              new Found(
                  Redaction.redact(one) + "@" + b.platform() + ":/" + b.path(),
                  b.info(),
                  labelOf.get(one),
                  labelOf.containsKey(one)));
        }
        listener.info(
            r.name()
                + ": read image "
                + Redaction.redact(one)
                + ": "
                + bins.size()
                + " Go binaries");
      }
    } catch (ImageException e) {
      throw new RebuildException(
          e.kind() == ImageException.Kind.BAD_INPUT
              ? RebuildException.Kind.BAD_INPUT
              : RebuildException.Kind.TOOL,
          IMAGES,
          r.name() + ": cannot read the image " + Redaction.redact(image) + ": " + e.getMessage(),
          e);
    }
  }
}
