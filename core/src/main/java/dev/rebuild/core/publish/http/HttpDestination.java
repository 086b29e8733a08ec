package dev.rebuild.core.publish.http;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.io.Redirects;
import dev.rebuild.core.io.WatchedStream;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.PublishedRelease.ReleaseFile;
import dev.rebuild.core.release.ReleaseListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A plain HTTP directory (Artifactory generic repositories, Nexus raw repositories, WebDAV
 * servers): each file is {@code PUT <url><name>}. What is already there is looked at first ({@code
 * HEAD}: size and, where the server sends one, a checksum header; else the file is downloaded and
 * compared), so a re-run uploads only what is missing, a file with the same bytes is skipped and a
 * file with other bytes is refused, never replaced.
 *
 * <p>Basic credentials go only to the scheme, host and port of {@code url}; redirects are followed
 * for reading only, never from HTTPS to HTTP, and a redirected read to another host goes without
 * credentials. Answers are bounded in size and time.
 */
public final class HttpDestination implements Destination {

  /**
   * Basic credentials from a {@code settings.xml} server; {@link #toString()} shows no password.
   *
   * @param serverId the {@code <server>} id, named in messages about refused credentials
   */
  public record Credentials(String serverId, String username, String password) {
    @Override
    public String toString() {
      return "Credentials[serverId=" + serverId + ", username=" + username + "]";
    }
  }

  /** Record item kind of a file this destination holds. */
  public static final String ITEM_KIND = "file";

  /** The configuration key of the URL, for messages. */
  static final String PARAMETER = "publish.http.url";

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** The longest wait for an answer's head, and for the next bytes of a body being read. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  /**
   * An upload may take {@link #ANSWER_TIMEOUT} plus one second per this many bytes (64 KiB/s): a
   * slow link gets time, a server that stops reading does not hold the build for ever.
   */
  static final long SLOWEST_UPLOAD_BYTES_PER_SECOND = 64 << 10;

  /** The most of an error answer kept for the message. */
  static final int ERROR_EXCERPT = 512;

  static final int MAX_REDIRECTS = Redirects.MAX_HOPS;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final long PROGRESS_STEP = 1 << 20;
  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern HEX40 = Pattern.compile("[0-9a-fA-F]{40}");
  private static final Pattern NEXUS_ETAG =
      Pattern.compile("(?:W/)?\"\\{SHA1\\{([0-9a-fA-F]{40})}}\"");

  private final URI base;
  private final Credentials credentials;
  private final boolean replace;
  private final Duration answerTimeout;
  private final HttpClient client;

  /** A destination that never replaces a file. */
  public HttpDestination(String url, Credentials credentials) throws RebuildException {
    this(url, credentials, false);
  }

  /**
   * @param url the directory files are PUT under ({@code https://repo.example.com/raw/nsq/}); a
   *     missing trailing slash is added
   * @param credentials basic credentials, or null for a server that needs none
   * @param replace {@code rebuild.replaceAssets}: a release file found there with other bytes is
   *     uploaded over (only the release's own names are ever written)
   * @throws RebuildException (bad input, {@code publish.http.url}) for a URL that is not HTTP(S),
   *     carries credentials, a query or a fragment
   */
  public HttpDestination(String url, Credentials credentials, boolean replace)
      throws RebuildException {
    this(url, credentials, replace, ANSWER_TIMEOUT);
  }

  /** With another answer timeout: tests of a server that falls silent. */
  HttpDestination(String url, Credentials credentials, boolean replace, Duration answerTimeout)
      throws RebuildException {
    this.base = directory(url);
    this.credentials = credentials;
    this.replace = replace;
    this.answerTimeout = answerTimeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  static URI directory(String url) throws RebuildException {
    if (url == null || url.isBlank()) {
      throw RebuildException.badInput(
          PARAMETER,
          "no URL for the HTTP destination: set <publish><http><url>https://repo.example.com/raw/"
              + "nsq/</url></http></publish>");
    }
    URI u;
    try {
      u = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw RebuildException.badInput(
          PARAMETER, "the HTTP destination URL is malformed (" + e.getReason() + "); fix <url>");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
      throw RebuildException.badInput(
          PARAMETER,
          "the HTTP destination URL must be an http:// or https:// URL with a host; fix <url>");
    }
    if (u.getRawUserInfo() != null) {
      throw RebuildException.badInput(
          PARAMETER,
          "the HTTP destination URL carries credentials; remove them from <url> and put them in a"
              + " settings.xml <server> named by <serverId>");
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw RebuildException.badInput(
          PARAMETER,
          "the HTTP destination URL "
              + Redirects.shown(u)
              + " has a query or fragment; give the directory only");
    }
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    if (!path.endsWith("/")) {
      path = path + "/";
    }
    return URI.create(scheme + "://" + u.getRawAuthority() + path);
  }

  @Override
  public String kind() {
    return "http";
  }

  @Override
  public String id() {
    return "http:" + Redirects.shown(base);
  }

  /** Where {@code name} goes. */
  URI fileUri(String name) throws RebuildException {
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.chars().anyMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f)) {
      throw RebuildException.badInput(
          "tagDirectory",
          "the release file name '"
              + name
              + "' is no plain file name; the committed rebuild was changed. Re-run"
              + " rebuild:release for this tag.");
    }
    try {
      URI u = new URI(base.getScheme(), base.getRawAuthority(), base.getPath() + name, null, null);
      return URI.create(u.toASCIIString());
    } catch (URISyntaxException e) {
      throw RebuildException.badInput(
          "tagDirectory", "the release file name '" + name + "' makes no URL: " + e.getReason());
    }
  }

  @Override
  public PublishRecord publish(PublishedRelease release, Journal journal, ReleaseListener log)
      throws RebuildException {
    Optional<PublishRecord> previous = journal.previous();
    List<Remote> there = new ArrayList<>();
    List<String> clashes = new ArrayList<>();
    try {
      for (ReleaseFile f : release.files()) {
        URI uri = fileUri(f.name());
        String digest = "sha256:" + f.sha256();
        boolean recorded =
            previous.isPresent()
                && previous.get().items().stream()
                    .anyMatch(
                        i -> uri.toString().equals(i.reference()) && digest.equals(i.digest()));
        Remote r = look(uri, f, recorded, log);
        there.add(r);
        if (r == Remote.DIFFERENT && !replace) {
          clashes.add(Redirects.shown(uri));
        }
      }
    } catch (Failure e) {
      throw RebuildException.tool(e.getMessage() + "; nothing was uploaded", e);
    }
    if (!clashes.isEmpty()) {
      throw RebuildException.badInput(
          PARAMETER,
          String.join(", ", clashes)
              + (clashes.size() == 1 ? " already holds" : " already hold")
              + " other bytes than this rebuild's file of the same name; a published file is never"
              + " replaced, and nothing was uploaded. If it is what is left of a broken upload"
              + " (the publish record in publish/ does not list it), delete it on the server and"
              + " run again; otherwise publish this rebuild under another label or to another"
              + " <url>, or replace them with -Drebuild.replaceAssets=true.");
    }
    List<PublishRecord.Item> done = new ArrayList<>();
    int uploaded = 0;
    for (int k = 0; k < release.files().size(); k++) {
      ReleaseFile f = release.files().get(k);
      URI uri = fileUri(f.name());
      if (there.get(k) == Remote.SAME) {
        log.info("http: " + f.name() + " is already at " + Redirects.shown(uri));
      } else {
        try {
          put(uri, f, log);
        } catch (Failure e) {
          throw RebuildException.tool(e.getMessage() + ". " + progress(done, release), e);
        }
        uploaded++;
        log.info(
            "http: "
                + (there.get(k) == Remote.DIFFERENT ? "replaced " : "uploaded ")
                + f.name()
                + " at "
                + Redirects.shown(uri));
      }
      done.add(new PublishRecord.Item(ITEM_KIND, uri.toString(), "sha256:" + f.sha256(), null));
      journal.save(record(release, done));
    }
    PublishRecord r = record(release, done);
    if (uploaded == 0) {
      log.info("http: nothing new to upload to " + Redirects.shown(base));
    }
    return r;
  }

  private PublishRecord record(PublishedRelease release, List<PublishRecord.Item> items) {
    return new PublishRecord(PublishRecord.SCHEMA, id(), release.manifestSha256(), items);
  }

  private String progress(List<PublishRecord.Item> done, PublishedRelease release) {
    return done.size()
        + " of "
        + release.files().size()
        + " files are at "
        + Redirects.shown(base)
        + " (listed in the publish record); a re-run uploads only the rest";
  }

  /** What the server holds under a file's name. */
  enum Remote {
    ABSENT,
    SAME,
    DIFFERENT
  }

  /** A failure of the server or the network, as one sentence without credentials. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message, Throwable cause) {
      super(message, cause);
    }

    Failure(String message) {
      super(message);
    }
  }

  Remote look(URI uri, ReleaseFile f, boolean recorded, ReleaseListener log)
      throws Failure, RebuildException {
    HttpResponse<InputStream> head = read("HEAD", uri);
    int status = head.statusCode();
    close(head);
    if (status == 404 || status == 410) {
      return Remote.ABSENT;
    }
    if (status == 401 || status == 403) {
      throw refused(uri, status);
    }
    if (status == 200) {
      Optional<Long> length =
          head.headers().firstValueAsLong("Content-Length").stream().boxed().findFirst();
      if (length.isPresent() && length.get() != f.size()) {
        return Remote.DIFFERENT;
      }
      Optional<String> sha256 = sha256Header(head.headers());
      if (sha256.isPresent()) {
        return sha256.get().equalsIgnoreCase(f.sha256()) ? Remote.SAME : Remote.DIFFERENT;
      }
      if (recorded && length.isPresent()) {
        log.debug("http: " + f.name() + " has the recorded size; the publish record names it");
        return Remote.SAME;
      }
      Optional<String> sha1 = sha1Header(head.headers());
      if (sha1.isPresent()) {
        return sha1.get().equalsIgnoreCase(sha1(f.path())) ? Remote.SAME : Remote.DIFFERENT;
      }
    } else if (status != 405 && status != 501) {
      throw new Failure(
          "HEAD " + Redirects.shown(uri) + " answered " + status + excerpt(head, null));
    }
    log.debug("http: downloading " + Redirects.shown(uri) + " to compare it with " + f.name());
    return download(uri, f);
  }

  /**
   * The sha256 a server states for a file: Artifactory's {@code X-Checksum-Sha256}, or {@code
   * sha-256} in {@code Repr-Digest} (RFC 9530) or {@code Digest} (RFC 3230), as hex.
   */
  static Optional<String> sha256Header(HttpHeaders h) {
    Optional<String> artifactory =
        h.firstValue("X-Checksum-Sha256")
            .map(String::strip)
            .filter(v -> HEX64.matcher(v).matches());
    if (artifactory.isPresent()) {
      return artifactory;
    }
    for (String header : List.of("Repr-Digest", "Digest")) {
      for (String value : h.allValues(header)) {
        for (String part : value.split(",")) {
          int eq = part.indexOf('=');
          if (eq < 0 || !part.substring(0, eq).strip().equalsIgnoreCase("sha-256")) {
            continue;
          }
          String b64 = part.substring(eq + 1).strip().replace(":", "");
          try {
            byte[] digest = Base64.getDecoder().decode(b64);
            if (digest.length == 32) {
              return Optional.of(HexFormat.of().formatHex(digest));
            }
          } catch (IllegalArgumentException e) {
            // not base64: not a digest this client can use
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The SHA-1 a server states for a file: {@code X-Checksum-Sha1} (Artifactory), or Nexus 3's
   * {@code ETag: "{SHA1{hex}}"}.
   */
  static Optional<String> sha1Header(HttpHeaders h) {
    Optional<String> artifactory =
        h.firstValue("X-Checksum-Sha1").map(String::strip).filter(v -> HEX40.matcher(v).matches());
    if (artifactory.isPresent()) {
      return artifactory;
    }
    return h.firstValue("ETag")
        .map(v -> NEXUS_ETAG.matcher(v.strip()))
        .filter(java.util.regex.Matcher::matches)
        .map(m -> m.group(1));
  }

  private Remote download(URI uri, ReleaseFile f) throws Failure, RebuildException {
    HttpResponse<InputStream> get = read("GET", uri);
    int status = get.statusCode();
    if (status == 404 || status == 410) {
      close(get);
      return Remote.ABSENT;
    }
    if (status == 401 || status == 403) {
      close(get);
      throw refused(uri, status);
    }
    if (status != 200) {
      throw new Failure("GET " + Redirects.shown(uri) + " answered " + status + excerpt(get, null));
    }
    MessageDigest sha = Digest.sha256();
    WatchedStream watch = new WatchedStream(get.body(), answerTimeout, null);
    try (watch;
        InputStream in = new LimitedInputStream(watch.body(), f.size(), Redirects.shown(uri))) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    } catch (LimitedInputStream.TooLarge e) {
      return Remote.DIFFERENT;
    } catch (IOException e) {
      throw new Failure(
          "reading "
              + Redirects.shown(uri)
              + " to compare it failed: "
              + (watch.why() != null ? watch.why() : e.getMessage()),
          e);
    }
    return HexFormat.of().formatHex(sha.digest()).equalsIgnoreCase(f.sha256())
        ? Remote.SAME
        : Remote.DIFFERENT;
  }

  /** A GET or HEAD, following redirects; credentials only to the destination's own origin. */
  private HttpResponse<InputStream> read(String method, URI uri) throws Failure {
    URI at = uri;
    List<URI> hops = new ArrayList<>(List.of(uri));
    while (true) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(at).method(method, HttpRequest.BodyPublishers.noBody());
      b.timeout(answerTimeout);
      authorize(b, at);
      HttpResponse<InputStream> r = send(b.build(), method + " " + Redirects.shown(at));
      Optional<String> location = r.headers().firstValue("Location");
      if (!REDIRECTS.contains(r.statusCode()) || location.isEmpty()) {
        return r;
      }
      close(r);
      URI next;
      try {
        next = Redirects.target(at, location.get());
      } catch (Redirects.Refused e) {
        throw new Failure("the server " + e.getMessage());
      }
      if (hops.contains(next) || hops.size() > MAX_REDIRECTS) {
        throw new Failure(
            "the server redirected "
                + Redirects.shown(uri)
                + (hops.contains(next) ? " in a loop" : " more than " + MAX_REDIRECTS + " times")
                + "; refused");
      }
      hops.add(next);
      at = next;
    }
  }

  private void put(URI uri, ReleaseFile f, ReleaseListener log) throws Failure, RebuildException {
    HttpResponse<InputStream> r = putOnce(uri, f, log);
    if (r.statusCode() == 409) {
      close(r);
      makeCollections(uri);
      r = putOnce(uri, f, log);
    }
    int status = r.statusCode();
    if (status == 200 || status == 201 || status == 204) {
      close(r);
      return;
    }
    if (status == 401 || status == 403) {
      close(r);
      throw refused(uri, status);
    }
    if (status == 404) {
      close(r);
      throw RebuildException.badInput(
          PARAMETER,
          "PUT "
              + Redirects.shown(uri)
              + " answered 404: the server has no repository or directory at "
              + Redirects.shown(base)
              + " that takes uploads; check <url> (for Nexus .../repository/<raw repository>/, for"
              + " Artifactory .../artifactory/<generic repository>/)");
    }
    if (REDIRECTS.contains(status)) {
      close(r);
      throw RebuildException.badInput(
          PARAMETER,
          "PUT "
              + Redirects.shown(uri)
              + " was redirected ("
              + status
              + "); uploads are not sent on, give the server's final directory URL in <url>");
    }
    throw new Failure(
        "PUT "
            + Redirects.shown(uri)
            + " answered "
            + status
            + excerpt(r, status / 100 == 4 ? "the server refused the file" : null));
  }

  private HttpResponse<InputStream> putOnce(URI uri, ReleaseFile f, ReleaseListener log)
      throws Failure {
    Duration timeout =
        answerTimeout.plusSeconds(Math.max(1, f.size() / SLOWEST_UPLOAD_BYTES_PER_SECOND));
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> progress(f, log)), f.size());
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .PUT(body)
            .timeout(timeout)
            .header("Content-Type", "application/octet-stream")
            // Artifactory checks the body against these and refuses a damaged upload.
            .header("X-Checksum-Sha256", f.sha256());
    authorize(b, uri);
    log.debug("http: PUT " + Redirects.shown(uri) + " (" + f.size() + " bytes)");
    return send(b.build(), "PUT " + Redirects.shown(uri));
  }

  /** The file's bytes, with a debug line per MiB sent. */
  private static InputStream progress(ReleaseFile f, ReleaseListener log) {
    InputStream in;
    try {
      in = Files.newInputStream(f.path());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FilterInputStream(in) {
      long sent;
      long next = PROGRESS_STEP;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          sent += n;
          if (sent >= next && sent < f.size()) {
            next += PROGRESS_STEP;
            log.debug("http: sent " + sent + " of " + f.size() + " bytes of " + f.name());
          }
        }
        return n;
      }
    };
  }

  /**
   * A WebDAV server answers 409 to a PUT under a collection that does not exist: creates the
   * destination's directory and its parents (RFC 4918 MKCOL), one path segment at a time.
   */
  private void makeCollections(URI file) throws Failure {
    String path = file.getRawPath();
    List<String> dirs = new ArrayList<>();
    for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      dirs.add(path.substring(0, i + 1));
    }
    for (String dir : dirs) {
      URI u = URI.create(base.getScheme() + "://" + base.getRawAuthority() + dir);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(u)
              .method("MKCOL", HttpRequest.BodyPublishers.noBody())
              .timeout(answerTimeout);
      authorize(b, u);
      HttpResponse<InputStream> r = send(b.build(), "MKCOL " + Redirects.shown(u));
      close(r);
    }
  }

  private void authorize(HttpRequest.Builder b, URI uri) {
    if (credentials != null && Redirects.sameOrigin(uri, base)) {
      String pair = credentials.username() + ":" + credentials.password();
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private HttpResponse<InputStream> send(HttpRequest request, String what) throws Failure {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw new Failure(what + ": no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
    } catch (HttpTimeoutException e) {
      throw new Failure(
          what
              + ": no answer within "
              + request.timeout().map(Duration::toSeconds).orElse(0L)
              + " s",
          e);
    } catch (ConnectException e) {
      throw new Failure(what + ": the server cannot be reached (connection refused)", e);
    } catch (IOException | UncheckedIOException e) {
      throw new Failure(what + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(what + " was interrupted", e);
    }
  }

  private RebuildException refused(URI uri, int status) {
    String fix =
        credentials == null
            ? "it needs credentials: add a <server> with them to settings.xml and name its id in"
                + " <serverId>"
            : "check the username and password of the settings.xml <server> "
                + credentials.serverId()
                + " and that this user may "
                + (status == 403 ? "write to this directory" : "log in");
    return RebuildException.badInput(
        "publish.http.serverId",
        "the server at "
            + Redirects.shown(base)
            + " refused "
            + Redirects.shown(uri)
            + " ("
            + status
            + "): "
            + fix);
  }

  private static String excerpt(HttpResponse<InputStream> r, String lead) {
    String text;
    try (InputStream in = r.body()) {
      text = new String(in.readNBytes(ERROR_EXCERPT), StandardCharsets.UTF_8);
    } catch (IOException e) {
      text = "";
    }
    text = text.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    String said = text.isEmpty() ? "" : ": " + text;
    return lead == null ? said : " (" + lead + said + ")";
  }

  private static void close(HttpResponse<InputStream> r) {
    try {
      r.body().close();
    } catch (IOException e) {
      // nothing was to be read from it
    }
  }

  private static String sha1(Path file) throws Failure {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-1");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new Failure("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
