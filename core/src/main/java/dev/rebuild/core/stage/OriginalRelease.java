package dev.rebuild.core.stage;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.io.WatchedStream;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.publish.github.GitHubApi;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The original release's artifacts, found by the archive name template with the original's Go
 * version in place of {@code {goVersion}}: in a directory by matching every file name, under a URL
 * prefix by the Go version the user names. Only ever read.
 */
public final class OriginalRelease {

  private static final String GO_VERSION_PATTERN = "(\\d+\\.\\d+(?:\\.\\d+)?(?:(?:rc|beta)\\d+)?)";

  /** The longest a download may go without a byte before it fails. */
  static final Duration SILENCE = Duration.ofSeconds(60);

  private final String location;
  private final String originalGo;
  private final HttpClient http;
  private final long maxBytes;
  private final Duration silence;
  private final Path cache;
  private final GitHubApi github;

  public OriginalRelease(String location, String originalGo, HttpClient http) {
    this(location, originalGo, http, ArchiveLimits.ORIGINAL_ARTIFACT_BYTES, SILENCE, null, null);
  }

  /**
   * @param maxBytes the most a downloaded original may hold
   * @param silence the longest a download may go without a byte
   */
  OriginalRelease(
      String location, String originalGo, HttpClient http, long maxBytes, Duration silence) {
    this(location, originalGo, http, maxBytes, silence, null, null);
  }

  /**
   * @param cache null, or where downloads whose sha256 a checksum list of the release names are
   *     kept by that sha256, so that a run again fetches only the checksum list
   */
  OriginalRelease(
      String location,
      String originalGo,
      HttpClient http,
      long maxBytes,
      Duration silence,
      Path cache,
      GitHubApi github) {
    this.location = location;
    this.originalGo = originalGo;
    this.http = http;
    this.maxBytes = maxBytes;
    this.silence = silence;
    this.cache = cache;
    this.github = github;
  }

  /** The same original, downloads kept in {@code cache} by their sha256. */
  public OriginalRelease withCache(Path cache) {
    return new OriginalRelease(location, originalGo, http, maxBytes, silence, cache, github);
  }

  /**
   * The same original, a {@code github:owner/name} location read through {@code api} (its API root
   * and token).
   */
  public OriginalRelease withGitHub(GitHubApi api) {
    return new OriginalRelease(location, originalGo, http, maxBytes, silence, cache, api);
  }

  /** The prefix of an original release on GitHub: {@code github:owner/name}. */
  public static final String GITHUB = "github:";

  /** True when the original release is a URL prefix rather than a directory. */
  public boolean remote() {
    return location.startsWith("http://") || location.startsWith("https://");
  }

  /**
   * Every file of the original release as a local file, sorted by name: a directory's regular
   * files, or {@code names} downloaded from a URL prefix into the work directory. When a checksum
   * list ({@code SHA256SUMS}, {@code *checksums.txt}) is among them, every file it lists must
   * match.
   *
   * @param names the files to fetch from a URL prefix (a prefix cannot be listed); ignored for a
   *     directory
   * @param tag the tag whose GitHub release a {@code github:} location names
   */
  public List<Path> files(Path work, List<String> names, String tag) throws RebuildException {
    if (location.startsWith(GITHUB)) {
      if (github == null) {
        throw new IllegalStateException("no GitHub API for " + location);
      }
      List<Path> out =
          new GitHubReleaseAssets(github, location.substring(GITHUB.length()).strip(), maxBytes)
              .download(tag, work, this);
      checkListedDigests(out);
      return out;
    }
    if (remote()) {
      if (names.isEmpty()) {
        throw RebuildException.badInput(
            "originalFiles",
            "the original release is a URL prefix, which cannot be listed\nName its files:"
                + " -Drebuild.originalFiles=kestrel_2.4.1_linux_amd64.tar.gz,... (<originalFiles>).");
      }
      List<Path> out = new ArrayList<>();
      // The checksum lists first: they say which cached download is still the release's.
      List<String> ordered = new ArrayList<>(new java.util.TreeSet<>(names));
      ordered.sort(java.util.Comparator.comparing(n -> !isChecksumList(n)));
      Map<String, String> listed = new java.util.TreeMap<>();
      for (String name : ordered) {
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
          throw RebuildException.badInput(
              "originalFiles", "'" + name + "' is not a file name under the URL prefix");
        }
        Path file = cached(work, name, listed.get(name));
        if (file == null) {
          file = download(work, name);
          keep(file, listed.get(name));
        }
        out.add(file);
        if (isChecksumList(name)) {
          listed.putAll(listedDigests(file));
        }
      }
      out.sort(null);
      checkListedDigests(out);
      return out;
    }
    Path dir = directory();
    List<Path> out;
    try (Stream<Path> files = Files.list(dir)) {
      out = files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw RebuildException.tool("cannot list " + dir + ": " + e.getMessage(), e);
    }
    checkListedDigests(out);
    return out;
  }

  /**
   * Checks the files against a checksum list among them ({@code SHA256SUMS}, GoReleaser's {@code
   * *checksums.txt}, in {@code sha256sum} format), so that what was fetched is what the release
   * published.
   */
  static void checkListedDigests(List<Path> files) throws RebuildException {
    Map<String, Path> byName = new java.util.TreeMap<>();
    files.forEach(f -> byName.put(f.getFileName().toString(), f));
    for (Path list : files) {
      String listName = list.getFileName().toString();
      if (!isChecksumList(listName)) {
        continue;
      }
      for (Map.Entry<String, String> e : listedDigests(list).entrySet()) {
        Path file = byName.get(e.getKey());
        if (file == null) {
          continue;
        }
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(e.getValue())) {
          throw RebuildException.badInput(
              "original",
              "the original "
                  + e.getKey()
                  + " has sha256 "
                  + actual
                  + ", but the release's "
                  + listName
                  + " lists "
                  + e.getValue()
                  + "\nCheck rebuild.original: it must serve the release as published.");
        }
      }
    }
  }

  /** {@code SHA256SUMS} or GoReleaser's {@code <project>_<version>_checksums.txt}. */
  static boolean isChecksumList(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.endsWith("checksums.txt") || lower.equals("sha256sums");
  }

  /** File name to sha256 (lower-case hex), as a {@code sha256sum} list names them. */
  static Map<String, String> listedDigests(Path list) throws RebuildException {
    Map<String, String> out = new java.util.TreeMap<>();
    try {
      for (String line : Files.readAllLines(list)) {
        Matcher m = SUM_LINE.matcher(line.trim());
        if (m.matches()) {
          out.put(m.group(2), m.group(1).toLowerCase(java.util.Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + list + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static String sha256(Path file) throws RebuildException {
    try {
      return dev.rebuild.core.model.Digest.of(file).hex();
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The cached download of sha256 {@code digest} copied to the work directory as {@code name}, or
   * null when the cache has none (or one whose bytes are not that digest any more).
   */
  Path cached(Path work, String name, String digest) throws RebuildException {
    if (cache == null || digest == null) {
      return null;
    }
    Path kept = cache.resolve("sha256").resolve(digest);
    if (!Files.isRegularFile(kept) || !sha256(kept).equals(digest)) {
      return null;
    }
    try {
      Path dir = Files.createDirectories(work.resolve("original"));
      return Files.copy(kept, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw RebuildException.tool("cannot copy " + kept + ": " + e.getMessage(), e);
    }
  }

  /** Keeps a download whose sha256 is {@code digest} in the cache (nothing without either). */
  void keep(Path file, String digest) throws RebuildException {
    if (cache == null || digest == null || !sha256(file).equals(digest)) {
      return;
    }
    try {
      Path dir = Files.createDirectories(cache.resolve("sha256"));
      Path tmp = Files.createTempFile(dir, ".part-", "");
      Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          tmp,
          dir.resolve(digest),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot keep " + file.getFileName() + " in " + cache + ": " + e.getMessage(), e);
    }
  }

  private static final Pattern SUM_LINE = Pattern.compile("([0-9a-fA-F]{64})\\s+\\*?(\\S+)");

  private Path directory() throws RebuildException {
    Path dir = Path.of(location.startsWith("file://") ? URI.create(location).getPath() : location);
    if (!Files.isDirectory(dir)) {
      throw RebuildException.badInput(
          "original",
          "the original release directory "
              + dir
              + " does not exist\nSet rebuild.original (<original>) to the directory or URL prefix"
              + " holding the original release's archives.");
    }
    return dir;
  }

  /** The original of {@code artifact} as a local file (downloaded into the work directory). */
  Path locate(
      ArchiveSpec spec,
      ReleaseNames names,
      Path work,
      ReleaseManifest.Artifact artifact,
      Platform platform)
      throws RebuildException {
    String extension = spec == null ? "" : "." + spec.formatFor(platform).extension();
    if (location.startsWith("http://") || location.startsWith("https://")) {
      if (spec != null && originalGo == null && spec.name().placeholders().contains("goVersion")) {
        throw RebuildException.badInput(
            "originalGo",
            "the original release is a URL prefix, so its artifact names cannot be listed; name the"
                + " Go version it was built with: -Drebuild.originalGo=1.21.5");
      }
      String name =
          spec == null
              ? artifact.name()
              : spec.name().expand(placeholders(names, platform, originalGoNumber())) + extension;
      return download(work, name);
    }
    Path dir = directory();
    if (spec == null) {
      Path file = dir.resolve(artifact.name());
      if (!Files.isRegularFile(file)) {
        throw missing(artifact.name(), dir);
      }
      return file;
    }
    Pattern pattern = namePattern(names, spec, platform, extension);
    List<Path> matches = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(f -> pattern.matcher(f.getFileName().toString()).matches())
          .sorted()
          .forEach(matches::add);
    } catch (IOException e) {
      throw RebuildException.tool("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (originalGo != null) {
      matches.removeIf(
          f -> {
            Matcher m = pattern.matcher(f.getFileName().toString());
            return m.matches() && m.groupCount() > 0 && !originalGoNumber().equals(m.group(1));
          });
    }
    if (matches.isEmpty()) {
      throw missing(pattern.pattern(), dir);
    }
    if (matches.size() > 1) {
      throw RebuildException.badInput(
          "originalGo",
          "several original artifacts match "
              + artifact.name()
              + ": "
              + matches.stream().map(p -> p.getFileName().toString()).toList()
              + "\nName the original's Go version with -Drebuild.originalGo.");
    }
    return matches.get(0);
  }

  private String originalGoNumber() {
    return originalGo == null ? null : GoVersion.parse(originalGo).number();
  }

  private static Map<String, String> placeholders(
      ReleaseNames names, Platform platform, String goVersion) {
    Map<String, String> values = names.placeholders(platform);
    values.put("goVersion", goVersion);
    return values;
  }

  /** The template as a pattern: every placeholder fixed but {@code {goVersion}}, a group. */
  static Pattern namePattern(
      ReleaseNames names, ArchiveSpec spec, Platform platform, String extension) {
    String marker = "\u0000GO\u0000";
    String expanded = spec.name().expand(placeholders(names, platform, marker));
    StringBuilder regex = new StringBuilder();
    int from = 0;
    for (int at = expanded.indexOf(marker); at >= 0; at = expanded.indexOf(marker, from)) {
      regex.append(Pattern.quote(expanded.substring(from, at))).append(GO_VERSION_PATTERN);
      from = at + marker.length();
    }
    regex.append(Pattern.quote(expanded.substring(from) + extension));
    return Pattern.compile(regex.toString());
  }

  /**
   * Downloads {@code name} under this release's URL prefix into {@code work/original/}: bounded in
   * size, failing when the server falls silent.
   */
  public Path download(Path work, String name) throws RebuildException {
    String url = location.endsWith("/") ? location + name : location + "/" + name;
    Path dir = work.resolve("original");
    Path target = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      HttpResponse<InputStream> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      // A server that falls silent must not hold the release: 60 s without a byte fails it.
      try (WatchedStream watch = new WatchedStream(response.body(), silence, null);
          InputStream in = watch.body()) {
        if (response.statusCode() != 200) {
          throw RebuildException.badInput(
              "original",
              "the original artifact "
                  + Redaction.redact(url)
                  + " answered HTTP "
                  + response.statusCode()
                  + "\nCheck rebuild.original and rebuild.originalGo.");
        }
        Path tmp = dir.resolve(name + ".part");
        try {
          Files.copy(
              new LimitedInputStream(in, maxBytes, Redaction.redact(url)),
              tmp,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (LimitedInputStream.TooLarge e) {
          Files.deleteIfExists(tmp);
          throw RebuildException.badInput(
              "original",
              e.getMessage()
                  + ": not an original release artifact; nothing more was read\nCheck"
                  + " rebuild.original.");
        } catch (IOException e) {
          Files.deleteIfExists(tmp);
          throw watch.why() == null ? e : new IOException(watch.why(), e);
        }
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return target;
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot download the original artifact " + Redaction.redact(url) + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RebuildException.tool("interrupted while downloading " + Redaction.redact(url), e);
    }
  }

  private RebuildException missing(String what, Path dir) {
    return RebuildException.badInput(
        "original",
        "no original artifact matching "
            + what
            + " in "
            + dir
            + "\nSet rebuild.original (<original>) to the directory holding the original"
            + " release's archives, named as <archive><name> names them.");
  }
}
