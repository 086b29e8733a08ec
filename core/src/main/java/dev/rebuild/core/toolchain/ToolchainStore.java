package dev.rebuild.core.toolchain;

import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Provides the Go toolchain a rebuild asks for: resolves {@code 1.22} and {@code latest} to a
 * release, uses an installed or cached one, and otherwise downloads, verifies and caches it.
 *
 * <p>Downloads come, in order, from the official archive ({@code <downloadBase>go1.22.12.linux-
 * amd64.tar.gz}, checked against the release list's sha256 or a pinned one), then from the Go
 * module proxies as module {@code golang.org/toolchain} (checked against the checksum database's
 * {@code h1:} hash or a pinned sha256 of the zip). A source that cannot be reached or does not have
 * the file hands over to the next; a download that breaks off or does not match its checksum fails
 * the request, and nothing of it is kept.
 *
 * <p>Before downloading an exact version, the release list and the module proxies' lists of {@code
 * golang.org/toolchain} versions are asked whether it exists: a version the release list does not
 * name (nor any proxy's list) is refused at once, with the real releases nearest to it. A proxy's
 * list alone refuses nothing, since a proxy lists only what it has fetched; it explains a failed
 * download instead.
 */
public final class ToolchainStore implements ToolchainProvider {

  static final String TOOLCHAIN_MODULE = "golang.org/toolchain";

  private final ToolchainSettings settings;
  private final InstalledToolchains installed;
  private final ToolchainCache cache;
  private final ToolchainListener listener;
  private final Http http;

  private GoReleaseList releases;
  private String releasesProblem;
  private final Map<URI, ProxyList> proxyLists = new HashMap<>();

  /** A module proxy's {@code golang.org/toolchain/@v/list}: its text, or why it cannot be read. */
  private record ProxyList(String body, IOException problem) {}

  /**
   * @param settings where to look and fetch from
   * @param runner runs {@code go env} for toolchains without a readable {@code VERSION}
   * @param listener hears resolutions, download progress, verifications and installs
   */
  public ToolchainStore(
      ToolchainSettings settings, ProcessRunner runner, ToolchainListener listener) {
    this(settings, new InstalledToolchains(settings, runner), listener, Duration.ofMinutes(2));
  }

  ToolchainStore(
      ToolchainSettings settings,
      InstalledToolchains installed,
      ToolchainListener listener,
      Duration httpTimeout) {
    this.settings = settings;
    this.installed = installed;
    this.cache = new ToolchainCache(settings.effectiveCacheDir());
    this.listener = listener;
    this.http = new Http(httpTimeout);
  }

  @Override
  public Toolchain provide(String requested) throws ToolchainException {
    installed.checkExplicitGoroot();
    GoVersion version = resolve(requested);
    Platform host = settings.host();
    InstalledToolchains.Scan scan = installed.scan();
    Optional<Toolchain> found = InstalledToolchains.find(version, scan);
    if (found.isPresent()) {
      return found.get();
    }
    Optional<Toolchain> cached = cached(version, host);
    if (cached.isPresent()) {
      return cached.get();
    }
    String unchecked = checkListed(version);
    if (settings.offline()) {
      throw new ToolchainException(
          "Go toolchain "
              + version
              + " for "
              + host
              + " is neither installed nor in the toolchain cache "
              + cache.dir()
              + ", and rebuild is offline, so it was not downloaded."
              + describe(scan)
              + "\nTo get "
              + version
              + ": run once online (without -Drebuild.offline) to download it into the cache, or "
              + InstalledToolchains.installAdvice(version, settings)
              + ".");
    }
    String key = ToolchainCache.key(version, host);
    try {
      return cache.locked(
          key,
          () -> {
            // Another process may have fetched it while this one waited for the lock.
            Optional<Toolchain> again = cached(version, host);
            return again.isPresent() ? again.get() : download(version, key, scan, unchecked);
          });
    } catch (IOException e) {
      throw new ToolchainException(
          "cannot use the toolchain cache "
              + cache.dir()
              + ": "
              + Http.describe(e)
              + "; make it writable or set rebuild.toolchainCache to a writable directory",
          e);
    }
  }

  /** The cached toolchain of {@code version}, hashed again first when it must be. */
  private Optional<Toolchain> cached(GoVersion version, Platform host) throws ToolchainException {
    Optional<Toolchain> t = cache.lookup(version, host);
    if (t.isPresent() && cache.mustVerify(t.get().goroot(), settings.verifyCache())) {
      cache.verify(
          t.get(),
          settings.verifyCache()
              ? "checked because rebuild.verifyCache is set"
              : "checked because the cache is writable by group or others");
    }
    return t;
  }

  /**
   * The one version {@code requested} names: itself when exact; for {@code 1.22} the newest stable
   * 1.22.x, for {@code latest} the newest stable release, from the release list or, when that
   * cannot be read, the module proxy's list of {@code golang.org/toolchain} versions.
   */
  public GoVersion resolve(String requested) throws ToolchainException {
    boolean latest = requested != null && requested.trim().equalsIgnoreCase("latest");
    GoVersion line = latest ? null : InstalledToolchains.parse(requested);
    if (line != null && line.isExact()) {
      return line;
    }
    String what = latest ? "Go release" : "Go " + line.line() + ".x release";
    List<String> tried = new ArrayList<>();
    Listed seen = new Listed();
    GoReleaseList list = releaseList();
    if (list != null) {
      Optional<GoRelease> r = list.newestStable(line);
      if (r.isPresent()) {
        listener.resolved(requested, r.get().version(), settings.effectiveReleaseList());
        return r.get().version();
      }
      tried.add("the release list " + settings.effectiveReleaseList() + " has no stable " + what);
      seen.add(settings.effectiveReleaseList(), versionsOf(list));
    } else {
      tried.add(releasesProblem);
    }
    if (!settings.offline()) {
      for (URI proxy : settings.effectiveProxies()) {
        URI uri = proxy.resolve(TOOLCHAIN_MODULE + "/@v/list");
        try {
          String body = proxyList(uri);
          GoVersion v = newestFromProxyList(body, line);
          if (v != null) {
            listener.resolved(requested, v, uri.toString());
            return v;
          }
          tried.add(uri + " lists no stable " + what + " for " + settings.host());
          seen.add(uri.toString(), versionsOf(body, null));
        } catch (IOException e) {
          tried.add(e.getMessage());
        }
      }
    } else {
      tried.add("rebuild is offline, so the module proxy was not asked");
    }
    String failure =
        "cannot resolve '"
            + requested
            + "' to the newest "
            + what
            + ":\n  "
            + String.join("\n  ", tried);
    if (line != null && !seen.sources.isEmpty() && !seen.hasStableOf(line)) {
      // The lists read know the other lines, so this one does not exist (yet).
      throw new ToolchainException(notListed(line, seen) + "\n" + failure);
    }
    throw new ToolchainException(
        failure
            + "\nGive an exact version (e.g. -Dgo="
            + (line == null ? "1.22.12" : line.line() + ".0")
            + "), or point rebuild.goReleases at a reachable copy of"
            + " https://go.dev/dl/?mode=json&include=all (a URL or a file).");
  }

  /**
   * The Go releases known: the release list, or, when it cannot be read, the first module proxy's
   * list of {@code golang.org/toolchain} versions (a proxy's list has no files and marks every
   * version without a pre-release suffix stable).
   *
   * @throws ToolchainException naming every source tried and why it could not be read
   */
  public GoReleaseList releases() throws ToolchainException {
    GoReleaseList list = releaseList();
    if (list != null) {
      return list;
    }
    List<String> tried = new ArrayList<>();
    tried.add(releasesProblem);
    if (settings.offline()) {
      tried.add("rebuild is offline, so the module proxy's list was not asked");
    } else if (settings.effectiveProxies().isEmpty()) {
      tried.add("no Go module proxy to ask: GOPROXY lists none (or is off)");
    } else {
      for (URI proxy : settings.effectiveProxies()) {
        URI uri = proxy.resolve(TOOLCHAIN_MODULE + "/@v/list");
        try {
          Map<GoVersion, Boolean> versions = versionsOf(proxyList(uri), null);
          if (!versions.isEmpty()) {
            List<GoRelease> out = new ArrayList<>();
            versions.forEach((v, stable) -> out.add(new GoRelease(v, stable, List.of())));
            return new GoReleaseList(out);
          }
          tried.add(uri + " lists no Go versions");
        } catch (IOException e) {
          tried.add(e.getMessage());
        }
      }
    }
    throw new ToolchainException(
        "cannot read the list of Go releases:\n  "
            + String.join("\n  ", tried)
            + "\nPoint rebuild.goReleases at a reachable copy of "
            + ToolchainSettings.DEFAULT_RELEASE_LIST
            + " (a URL or a file), or make a Go module proxy reachable (GOPROXY).");
  }

  /**
   * Asks the release list and, while none of the lists read names {@code version}, the module
   * proxies' lists, whether the exact {@code version} exists.
   *
   * @return null when a list names it; otherwise why no list could be read to tell
   * @throws ToolchainException when lists could be read and none names it
   */
  private String checkListed(GoVersion version) throws ToolchainException {
    Listed seen = new Listed();
    GoReleaseList list = releaseList();
    if (list != null) {
      if (list.find(version).isPresent()) {
        return null;
      }
      seen.add(settings.effectiveReleaseList(), versionsOf(list));
    } else {
      seen.problems.add(releasesProblem);
    }
    List<URI> proxies = settings.effectiveProxies();
    if (settings.offline()) {
      seen.problems.add("rebuild is offline, so the module proxy's list was not asked");
    } else if (proxies.isEmpty()) {
      seen.problems.add("no Go module proxy to ask: GOPROXY lists none (or is off)");
    } else {
      for (URI proxy : proxies) {
        URI uri = proxy.resolve(TOOLCHAIN_MODULE + "/@v/list");
        try {
          Map<GoVersion, Boolean> versions = versionsOf(proxyList(uri), null);
          if (versions.containsKey(version)) {
            return null;
          }
          seen.add(uri.toString(), versions);
        } catch (IOException e) {
          seen.problems.add(e.getMessage());
        }
      }
    }
    if (list != null) {
      throw new ToolchainException(notListed(version, seen));
    }
    // A proxy's list may hold only what that proxy (or mirror) has fetched so far, so without the
    // release list it cannot prove a version does not exist: try the downloads and say it in the
    // error if they fail.
    if (!seen.sources.isEmpty()) {
      return notListed(version, seen);
    }
    return "Go "
        + version.number()
        + " may not exist: the release list could not be read to check ("
        + String.join("; ", seen.problems)
        + ").";
  }

  /** A module proxy's list of toolchain versions, fetched once per store. */
  private String proxyList(URI uri) throws IOException {
    ProxyList known;
    synchronized (proxyLists) {
      known = proxyLists.get(uri);
    }
    if (known == null) {
      try {
        known = new ProxyList(new String(http.get(uri), StandardCharsets.UTF_8), null);
      } catch (IOException e) {
        known = new ProxyList(null, e);
      }
      synchronized (proxyLists) {
        proxyLists.putIfAbsent(uri, known);
      }
    }
    if (known.problem() != null) {
      throw known.problem();
    }
    return known.body();
  }

  /** The release list's versions, each with whether it is a stable release. */
  private static Map<GoVersion, Boolean> versionsOf(GoReleaseList list) {
    Map<GoVersion, Boolean> out = new LinkedHashMap<>();
    for (GoRelease r : list.releases()) {
      out.merge(r.version(), r.stable() && r.version().isStable(), Boolean::logicalOr);
    }
    return out;
  }

  /**
   * The Go versions a proxy's {@code golang.org/toolchain} list names ({@code
   * v0.0.1-go1.22.12.linux-amd64}) for {@code platform} ({@code linux-amd64}), or for any platform
   * when it is null, each with whether it is a stable release.
   */
  private static Map<GoVersion, Boolean> versionsOf(String proxyList, String platform) {
    Map<GoVersion, Boolean> out = new LinkedHashMap<>();
    for (String l : proxyList.split("\n")) {
      String t = l.trim();
      int dot = t.lastIndexOf('.');
      if (!t.startsWith("v0.0.1-go")
          || dot < 0
          || (platform != null && !t.substring(dot + 1).equals(platform))) {
        continue;
      }
      GoVersion v = GoVersion.parseOrNull(t.substring("v0.0.1-".length(), dot));
      if (v != null) {
        out.put(v, v.isStable());
      }
    }
    return out;
  }

  /**
   * Says that {@code wanted} (an exact version or a line) is in none of the lists read, and names
   * the real stable releases nearest to it.
   */
  private static String notListed(GoVersion wanted, Listed seen) {
    StringBuilder b = new StringBuilder("Go ").append(wanted.number());
    List<GoVersion> pre = seen.preReleasesOf(wanted);
    boolean lineStable = seen.hasStableOf(wanted);
    if (!wanted.isExact() && !pre.isEmpty()) {
      b.append(" has no stable release yet: ")
          .append(String.join(" and ", seen.sources))
          .append(seen.sources.size() == 1 ? " lists" : " list")
          .append(pre.size() == 1 ? " only its pre-release " : " only its pre-releases ")
          .append(join(pre))
          .append('.');
    } else {
      b.append(" does not exist (not in ").append(String.join(" nor ", seen.sources)).append(')');
      if (!pre.isEmpty() && (!lineStable || !wanted.isStable())) {
        b.append("; the ")
            .append(wanted.line())
            .append(pre.size() == 1 ? " pre-release listed is " : " pre-releases listed are ")
            .append(join(pre));
      }
      b.append('.');
    }
    List<GoVersion> nearest = seen.nearest(wanted);
    if (nearest.isEmpty()) {
      return b.append(" No stable Go release is listed there. Use -Dgo=<version> or -Dgo=latest.")
          .toString();
    }
    b.append(nearest.size() == 1 ? " The nearest release is " : " The nearest releases are ")
        .append(join(nearest))
        .append("; the newest is ")
        .append(seen.newestPerLine().get(0))
        .append(". Use -Dgo=<version>, ");
    String line = nearest.get(0).line();
    if (!GoVersion.parse(line).isExact()) {
      // Before Go 1.21 a line's first release is named like the line: -Dgo=1.20 means go1.20.
      b.append("-Dgo=").append(line).append(" (newest ").append(line).append(".x) ");
    }
    return b.append("or -Dgo=latest.").toString();
  }

  private static String join(List<GoVersion> versions) {
    return String.join(", ", versions.stream().map(GoVersion::toString).toList());
  }

  /** The versions the release lists read name, to tell what exists and what is near. */
  private static final class Listed {
    /** The lists read. */
    final List<String> sources = new ArrayList<>();

    /** Why the other lists could not be read. */
    final List<String> problems = new ArrayList<>();

    private final Set<GoVersion> all = new HashSet<>();
    private final Set<GoVersion> stable = new HashSet<>();

    void add(String source, Map<GoVersion, Boolean> versions) {
      if (versions.isEmpty()) {
        problems.add(source + " lists no Go versions");
        return;
      }
      sources.add(source);
      versions.forEach(
          (v, isStable) -> {
            all.add(v);
            if (isStable) {
              stable.add(v);
            }
          });
    }

    boolean hasStableOf(GoVersion line) {
      return stable.stream().anyMatch(line::sameLine);
    }

    /** The pre-releases of {@code line}'s release line, oldest first. */
    List<GoVersion> preReleasesOf(GoVersion line) {
      return all.stream().filter(v -> !v.isStable() && line.sameLine(v)).sorted().toList();
    }

    /** The newest stable release of each line, newest line first. */
    List<GoVersion> newestPerLine() {
      List<GoVersion> out = new ArrayList<>();
      for (GoVersion v : stable.stream().sorted(Comparator.reverseOrder()).toList()) {
        if (out.isEmpty() || !out.get(out.size() - 1).sameLine(v)) {
          out.add(v);
        }
      }
      return out;
    }

    /**
     * Up to three stable releases near {@code wanted}: when its line exists, that line's newest and
     * then the newest of the two lines before it (or after it, when there are not two before);
     * otherwise the newest of the three newest lines.
     */
    List<GoVersion> nearest(GoVersion wanted) {
      List<GoVersion> lines = newestPerLine();
      int at = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).sameLine(wanted)) {
          at = i;
        }
      }
      if (at < 0) {
        return lines.subList(0, Math.min(3, lines.size()));
      }
      List<GoVersion> out = new ArrayList<>(lines.subList(at, Math.min(at + 3, lines.size())));
      for (int i = at - 1; i >= 0 && out.size() < 3; i--) {
        out.add(lines.get(i));
      }
      return out;
    }
  }

  private GoVersion newestFromProxyList(String list, GoVersion line) {
    String platform = settings.host().os() + "-" + settings.host().arch();
    return versionsOf(list, platform).keySet().stream()
        .filter(v -> v.isStable() && (line == null || line.sameLine(v)))
        .max(Comparator.naturalOrder())
        .orElse(null);
  }

  /** The release list, read once; null (with {@link #releasesProblem}) when unavailable. */
  private synchronized GoReleaseList releaseList() {
    if (releases != null || releasesProblem != null) {
      return releases;
    }
    String where = settings.effectiveReleaseList();
    try {
      boolean remote = where.startsWith("http://") || where.startsWith("https://");
      if (remote && settings.offline()) {
        releasesProblem = "the release list " + where + " was not fetched: rebuild is offline";
        return null;
      }
      byte[] body;
      if (remote) {
        body = http.get(URI.create(where));
      } else {
        Path file = where.startsWith("file:") ? Path.of(URI.create(where)) : Path.of(where);
        body = Files.readAllBytes(file);
      }
      try (InputStream in = new ByteArrayInputStream(body)) {
        releases = GoReleaseList.parse(in, where);
      }
    } catch (IOException | IllegalArgumentException e) {
      releasesProblem = "the release list " + where + " cannot be read: " + e.getMessage();
    }
    return releases;
  }

  /**
   * Holding the version's lock: fetch from the first source that has it.
   *
   * @param unchecked what the lists said of {@code version} when none could prove it exists, or
   *     null when one names it
   */
  private Toolchain download(
      GoVersion version, String key, InstalledToolchains.Scan scan, String unchecked)
      throws IOException, ToolchainException {
    List<String> tried = new ArrayList<>();
    Toolchain t = fromOfficialArchive(version, key, tried);
    if (t == null) {
      t = fromModuleProxy(version, key, tried);
    }
    if (t == null) {
      throw new ToolchainException(
          "cannot download Go toolchain "
              + version
              + " for "
              + settings.host()
              + ":\n  "
              + String.join("\n  ", tried)
              + (unchecked == null ? "" : "\n" + unchecked)
              + describe(scan)
              + "\nTo get "
              + version
              + ": make one of these sources reachable (rebuild.goDownloadBase, GOPROXY), or "
              + InstalledToolchains.installAdvice(version, settings)
              + ".");
    }
    listener.installed(t);
    return t;
  }

  private Toolchain fromOfficialArchive(GoVersion version, String key, List<String> tried)
      throws IOException, ToolchainException {
    Platform host = settings.host();
    String ext = host.os().equals("windows") ? ".zip" : ".tar.gz";
    String filename = version + "." + host.os() + "-" + GoRelease.archiveArch(host) + ext;
    String expected = null;
    String expectedFrom = null;
    GoReleaseList list = releaseList();
    if (list != null) {
      Optional<GoRelease.File> file =
          list.find(version).flatMap(r -> r.archiveFor(host)).filter(f -> !f.sha256().isEmpty());
      if (file.isPresent()) {
        filename = file.get().filename();
        expected = file.get().sha256();
        expectedFrom = "the release list";
      } else {
        tried.add("the release list " + settings.effectiveReleaseList() + " has no " + filename);
      }
    } else {
      tried.add(releasesProblem);
    }
    if (expected == null && settings.pinnedSha256() == null) {
      tried.add("the official archive was not downloaded: no checksum to verify it against");
      return null;
    }
    URI uri = settings.effectiveDownloadBase().resolve(filename);
    Path work = cache.workDir(key);
    try {
      Http.Saved saved;
      try {
        saved = http.download(uri, work.resolve(filename), listener);
      } catch (Http.Unavailable e) {
        tried.add(e.getMessage());
        return null;
      } catch (IOException e) {
        throw new ToolchainException(e.getMessage(), e);
      }
      List<String> how = new ArrayList<>();
      if (expected != null) {
        requireMatch(uri, "sha256", expected, saved.sha256(), expectedFrom);
        how.add("sha256 " + expected + " from " + expectedFrom);
      }
      if (settings.pinnedSha256() != null) {
        requireMatch(uri, "sha256", settings.pinnedSha256(), saved.sha256(), "goSha256");
        how.add("sha256 pinned by goSha256");
      }
      listener.verified(uri, String.join(", ", how));
      Path goroot = work.resolve("goroot");
      try {
        if (filename.endsWith(".zip")) {
          SafeExtractor.unzip(saved.file(), "go/", goroot);
        } else {
          SafeExtractor.untarGz(saved.file(), "go/", goroot);
        }
      } catch (IOException e) {
        throw unpackFailure(uri, e);
      }
      return publish(goroot, version, uri, saved.sha256());
    } finally {
      ToolchainCache.deleteTree(work);
    }
  }

  private Toolchain fromModuleProxy(GoVersion version, String key, List<String> tried)
      throws IOException, ToolchainException {
    List<URI> proxies = settings.effectiveProxies();
    if (proxies.isEmpty()) {
      tried.add("no Go module proxy to ask: GOPROXY lists none (or is off)");
      return null;
    }
    String modVersion =
        "v0.0.1-" + version + "." + settings.host().os() + "-" + settings.host().arch();
    for (URI proxy : proxies) {
      URI uri = proxy.resolve(TOOLCHAIN_MODULE + "/@v/" + modVersion + ".zip");
      Path work = cache.workDir(key);
      try {
        Http.Saved saved;
        try {
          saved = http.download(uri, work.resolve(modVersion + ".zip"), listener);
        } catch (Http.Unavailable e) {
          tried.add(e.getMessage());
          continue;
        } catch (IOException e) {
          throw new ToolchainException(e.getMessage(), e);
        }
        Path goroot = work.resolve("goroot");
        listener.verified(uri, unpackVerified(uri, saved, modVersion, proxies, goroot));
        finishModuleToolchain(goroot);
        return publish(goroot, version, uri, saved.sha256());
      } finally {
        ToolchainCache.deleteTree(work);
      }
    }
    return null;
  }

  /**
   * Checks a module zip against the pinned sha256 and/or the checksum database, whose h1 is
   * computed from the zip's files while they are unpacked into {@code goroot} (reading the ~70 MB
   * zip once, not twice). Nothing unpacked is published unless the hash matches.
   */
  private String unpackVerified(
      URI uri, Http.Saved saved, String modVersion, List<URI> proxies, Path goroot)
      throws IOException, ToolchainException {
    String prefix = TOOLCHAIN_MODULE + "@" + modVersion + "/";
    List<String> how = new ArrayList<>();
    String pinned = settings.pinnedSha256();
    if (pinned != null) {
      requireMatch(uri, "sha256", pinned, saved.sha256(), "goSha256");
      how.add("sha256 pinned by goSha256");
    }
    SumDb.Config config;
    try {
      config = SumDb.Config.parse(settings.effectiveSumdb());
    } catch (IOException e) {
      throw new ToolchainException(e.getMessage() + " (from GOSUMDB or rebuild.goSumdb)", e);
    }
    if (config == null) {
      if (pinned == null) {
        throw new ToolchainException(
            "cannot verify "
                + uri
                + ": the checksum database is off (GOSUMDB=off) and no goSha256 is pinned;"
                + " turn GOSUMDB back on or pin the zip's sha256 with -Drebuild.goSha256");
      }
      unpack(uri, saved, prefix, goroot);
      return String.join(", ", how);
    }
    SumDb.Answer answer;
    try {
      answer =
          new SumDb(config, proxies, http, cache.dir().resolve("sumdb"))
              .lookup(TOOLCHAIN_MODULE, modVersion);
    } catch (Http.Unavailable e) {
      if (pinned != null) {
        unpack(uri, saved, prefix, goroot);
        return String.join(", ", how);
      }
      throw new ToolchainException(
          "cannot verify "
              + uri
              + ": "
              + e.getMessage()
              + "; make the checksum database reachable (GOSUMDB, or a GOPROXY that serves"
              + " /sumdb/), or pin the zip's sha256 with -Drebuild.goSha256",
          e);
    } catch (IOException e) {
      throw new ToolchainException(
          "refusing "
              + uri
              + ": the checksum database's answer is not trustworthy: "
              + e.getMessage(),
          e);
    }
    requireMatch(
        uri, "h1", answer.h1(), ModuleHash.h1(unpack(uri, saved, prefix, goroot)), config.name());
    how.add(
        answer.h1()
            + " from "
            + config.name()
            + " (record "
            + answer.recordId()
            + " proven in the signed tree of size "
            + answer.treeSize()
            + ")");
    return String.join(", ", how);
  }

  private static List<ModuleHash.FileHash> unpack(
      URI uri, Http.Saved saved, String prefix, Path goroot) throws ToolchainException {
    try {
      return SafeExtractor.unzip(saved.file(), prefix, goroot);
    } catch (IOException e) {
      throw unpackFailure(uri, e);
    }
  }

  private static ToolchainException unpackFailure(URI uri, IOException e) {
    String why =
        e instanceof SafeExtractor.UnsafeArchive
            ? e.getMessage()
            : "cannot unpack " + uri + ": " + Http.describe(e);
    return new ToolchainException(why + "; nothing was cached", e);
  }

  private static void requireMatch(
      URI uri, String kind, String expected, String actual, String source)
      throws ToolchainException {
    if (!expected.equals(actual)) {
      throw new ToolchainException(
          "checksum mismatch for "
              + uri
              + ": expected "
              + kind
              + " "
              + expected
              + " ("
              + source
              + "), got "
              + actual
              + ". The download was refused and deleted; nothing was cached. Run again to retry;"
              + " if it persists, the server or something between is serving a different file.");
    }
  }

  /**
   * Does what {@code go} does on first use of a toolchain module: executable bits on the tools, and
   * the {@code go.mod} files a module zip must carry as {@code _go.mod}.
   */
  private static void finishModuleToolchain(Path goroot) throws IOException {
    for (String dir : List.of("pkg/tool", "bin")) {
      Path d = goroot.resolve(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> walk = Files.walk(d)) {
          for (Path p : walk.filter(Files::isRegularFile).toList()) {
            SafeExtractor.makeExecutable(p);
          }
        }
      }
    }
    Path lib = goroot.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> walk = Files.walk(lib)) {
        for (Path p : walk.filter(Files::isRegularFile).toList()) {
          if (p.getFileName().toString().matches("go_.+_.+_exec")) {
            SafeExtractor.makeExecutable(p);
          }
        }
      }
    }
    try (Stream<Path> walk = Files.walk(goroot)) {
      for (Path p : walk.filter(f -> f.getFileName().toString().equals("_go.mod")).toList()) {
        Files.copy(p, p.resolveSibling("go.mod"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private Toolchain publish(Path goroot, GoVersion version, URI uri, String sha256)
      throws IOException, ToolchainException {
    GoVersion unpacked = InstalledToolchains.versionFile(goroot);
    if (!version.equals(unpacked)) {
      throw new ToolchainException(
          uri
              + " unpacked to "
              + (unpacked == null ? "something without a VERSION file" : unpacked.toString())
              + ", not "
              + version
              + "; refused and deleted");
    }
    if (!InstalledToolchains.isGoroot(goroot)) {
      throw new ToolchainException(uri + " holds no bin/go; refused and deleted");
    }
    return cache.publish(goroot, version, settings.host(), uri.toString(), sha256);
  }

  private String describe(InstalledToolchains.Scan scan) {
    List<Toolchain> all = new ArrayList<>(scan.found());
    all.addAll(cache.all(settings.host()));
    return InstalledToolchains.describe(new InstalledToolchains.Scan(all, scan.problems()));
  }

  /** The cache directory in effect, for messages and reports. */
  public Path cacheDir() {
    return cache.dir();
  }
}
