package dev.rebuild.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local GitHub for the release endpoints, on 127.0.0.1, laid out as GitHub Enterprise Server is:
 * the REST API under {@code /api/v3}, uploads under {@code /api/uploads} (the same origin), and
 * asset downloads redirected to a storage origin ({@code localhost}, another host) as GitHub
 * redirects to its object storage. It answers as these pages document, and refuses what they say
 * GitHub refuses:
 *
 * <ul>
 *   <li>https://docs.github.com/en/rest/releases/releases (list with drafts for writers only; get
 *       by tag finds published releases only; create: 201, 422 {@code already_exists} for a used
 *       {@code tag_name}, {@code target_commitish} used only when the tag does not exist, the tag
 *       created when the release is published; {@code make_latest} one of true/false/legacy;
 *       update: 200)
 *   <li>https://docs.github.com/en/rest/releases/assets (upload to the hypermedia {@code
 *       upload_url} {@code {?name,label}}, raw body with Content-Type and Content-Length; 201; 422
 *       {@code already_exists} for a used name; a 502 on upstream failure that may leave an empty
 *       asset in the {@code starter} state, which can be deleted; asset objects with {@code state},
 *       {@code size}, {@code digest} "sha256:..."; get with {@code Accept:
 *       application/octet-stream} answers 302 to the storage; delete: 204)
 *   <li>https://docs.github.com/en/code-security/supply-chain-security/understanding-your-software-supply-chain/immutable-releases
 *       (a release published in a repository with immutable releases enabled has {@code immutable:
 *       true}; its assets can no longer be added, changed or deleted: 422)
 *   <li>https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api ({@code
 *       per_page} up to 100, default 30; {@code Link} with rel next/last/first/prev)
 *   <li>https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api ({@code
 *       x-ratelimit-*} headers on every answer; 403 with {@code x-ratelimit-remaining: 0} and
 *       {@code x-ratelimit-reset} in epoch seconds; 429 with {@code retry-after})
 *   <li>https://docs.github.com/en/rest/git/refs (get a reference: {@code /git/ref/tags/{tag}} 200
 *       or 404)
 *   <li>https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api (401 "Bad
 *       credentials" for a wrong token, 401 "Requires authentication" for writes without one; 404
 *       for what an anonymous client may not see)
 * </ul>
 */
public final class FakeGitHub implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DOCS = "https://docs.github.com/rest";

  /** One repository: its commits, tags and releases. */
  public static final class Repo {
    final String fullName;
    final long id;
    final List<String> commits = new ArrayList<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    final List<Release> releases = new ArrayList<>();
    boolean immutableReleases;

    Repo(String fullName, long id) {
      this.fullName = fullName;
      this.id = id;
    }
  }

  /** One release. */
  public static final class Release {
    public final long id;
    public String tagName;
    public String targetCommitish;
    public String name;
    public String body;
    public boolean draft;
    public boolean prerelease;
    public boolean immutable;
    public String makeLatest;
    public final List<Asset> assets = new ArrayList<>();

    Release(long id) {
      this.id = id;
    }
  }

  /** One release asset. */
  public static final class Asset {
    public final long id;
    public String name;
    public String label;
    public String state;
    public String contentType;
    public byte[] data;

    Asset(long id) {
      this.id = id;
    }

    public String digest() {
      return "sha256:" + sha256(data);
    }
  }

  private final HttpServer server;
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fake-github");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Repo> repos = new LinkedHashMap<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<String> storageAuthorizations =
      Collections.synchronizedList(new ArrayList<>());
  private final Clock clock;
  private volatile String token;
  private volatile String readOnlyToken;
  private long nextId = 1000;
  private int failUploads;
  private int uploadsUntilDown = -1;
  private boolean down;
  private boolean digests = true;
  private int rateLimited;
  private boolean rateLimitWithRetryAfter;
  private long rateLimitSeconds;
  private String uploadHost = "127.0.0.1";
  private int uploads;
  private volatile String holdUpload;
  private volatile String held;
  private final Semaphore holdReleased = new Semaphore(0);
  private final Semaphore holdEnded = new Semaphore(0);

  public FakeGitHub(String token) throws IOException {
    this(token, 0, Clock.systemUTC());
  }

  /** On {@code port} (0: any free one); the rate-limit reset times go by {@code clock}. */
  public FakeGitHub(String token, int port, Clock clock) throws IOException {
    this.token = token;
    this.clock = clock;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The API root to configure: {@code http://127.0.0.1:<port>/api/v3}. */
  public URI apiUrl() {
    return URI.create("http://127.0.0.1:" + port() + "/api/v3");
  }

  // ---- state the tests set up and look at ----

  public synchronized Repo repo(String fullName) {
    return repos.computeIfAbsent(fullName, n -> new Repo(n, nextId++));
  }

  /** A commit in the repository with a lightweight tag at it. */
  public synchronized FakeGitHub tag(String fullName, String tag, String commit) {
    Repo r = repo(fullName);
    if (!r.commits.contains(commit)) {
      r.commits.add(commit);
    }
    r.tags.put(tag, commit);
    return this;
  }

  /** A published release of an existing tag, with assets of the project's own. */
  public synchronized Release publishedRelease(
      String fullName, String tag, Map<String, byte[]> files) {
    Repo r = repo(fullName);
    Release rel = new Release(nextId++);
    rel.tagName = tag;
    rel.targetCommitish = "main";
    rel.name = tag;
    rel.body = "";
    rel.immutable = r.immutableReleases;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Asset a = new Asset(nextId++);
      a.name = e.getKey();
      a.state = "uploaded";
      a.contentType = "application/octet-stream";
      a.data = e.getValue();
      rel.assets.add(a);
    }
    r.releases.add(0, rel);
    return rel;
  }

  /**
   * A second token that can read but not write (a fine-grained token with Contents: read): the
   * repository's {@code permissions.push} is false and writes answer 403.
   */
  public void readOnlyToken(String t) {
    readOnlyToken = t;
  }

  public synchronized void immutableReleases(String fullName, boolean on) {
    repo(fullName).immutableReleases = on;
  }

  public synchronized List<Release> releases(String fullName) {
    return List.copyOf(repo(fullName).releases);
  }

  public synchronized String tagCommit(String fullName, String tag) {
    return repo(fullName).tags.get(tag);
  }

  /** The next {@code n} uploads fail as GitHub documents: 502, an empty {@code starter} asset. */
  public synchronized void failUploads(int n) {
    failUploads = n;
  }

  /** After {@code n} more uploads the server answers 503 to everything until {@link #up()}. */
  public synchronized void downAfterUploads(int n) {
    uploadsUntilDown = n;
  }

  public synchronized void up() {
    down = false;
    uploadsUntilDown = -1;
  }

  /** GitHub Enterprise versions and older assets have no {@code digest}: leave it out. */
  public synchronized void digests(boolean on) {
    digests = on;
  }

  /**
   * The next {@code n} API requests are rate limited: 429 with {@code retry-after: seconds}, or 403
   * with {@code x-ratelimit-remaining: 0} and the reset {@code seconds} from now.
   */
  public synchronized void rateLimit(int n, boolean retryAfter, long seconds) {
    rateLimited = n;
    rateLimitWithRetryAfter = retryAfter;
    rateLimitSeconds = seconds;
  }

  /** Names another host in {@code upload_url}, as a hostile or misconfigured server would. */
  public synchronized void uploadHost(String host) {
    uploadHost = host;
  }

  /**
   * The upload of the asset {@code name} stops reading its body after the first bytes and is never
   * answered: a client stuck in the middle of an upload, for a test to kill. {@link #releaseHold}
   * ends it as an upload GitHub never received whole: an empty {@code starter} asset is left. The
   * ITs use {@code POST /_fake/hold-upload?name=...}, {@code GET /_fake/state} and {@code POST
   * /_fake/release-hold}.
   */
  public void holdUpload(String name) {
    holdUpload = name;
  }

  /** Ends a held upload (once its client is gone) and waits until its asset is left behind. */
  public void releaseHold() throws InterruptedException {
    if (held != null) {
      holdReleased.release();
      holdEnded.tryAcquire(1, TimeUnit.MINUTES);
    }
  }

  /** The asset whose upload is held now, or null. */
  public String held() {
    return held;
  }

  /** Every request as {@code METHOD path}, in order. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public synchronized int uploads() {
    return uploads;
  }

  /** The Authorization headers the storage origin received (none is right). */
  public List<String> storageAuthorizations() {
    synchronized (storageAuthorizations) {
      return List.copyOf(storageAuthorizations);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }

  // ---- the server ----

  private record Reply(int status, Object body, Map<String, String> headers) {}

  private static final Pattern REPO = Pattern.compile("/api/v3/repos/([^/]+)/([^/]+)(/.*)?");
  private static final Pattern UPLOAD =
      Pattern.compile("/api/uploads/repos/([^/]+)/([^/]+)/releases/(\\d+)/assets");

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      requests.add(ex.getRequestMethod() + " " + path);
      Matcher up = UPLOAD.matcher(path);
      String hold = holdUpload;
      if (hold != null
          && up.matches()
          && hold.equals(query(ex.getRequestURI()).get("name"))
          && ("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        holdUntilReleased(ex, up.group(1) + "/" + up.group(2), Long.parseLong(up.group(3)));
        return;
      }
      if (path.equals("/_fake/release-hold")) {
        // Not under the lock the held upload needs to leave its asset.
        try {
          releaseHold();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        send(ex, new Reply(204, null, Map.of()));
        return;
      }
      byte[] body = readBody(ex);
      Reply reply;
      synchronized (this) {
        reply = route(ex, path, body);
      }
      send(ex, reply);
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    }
  }

  private void holdUntilReleased(HttpExchange ex, String fullName, long releaseId)
      throws IOException {
    ex.getRequestBody().readNBytes(64);
    held = query(ex.getRequestURI()).get("name");
    try {
      holdReleased.tryAcquire(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      Release rel = release(fullName, releaseId);
      String name = query(ex.getRequestURI()).get("name");
      if (rel != null && rel.assets.stream().noneMatch(a -> a.name.equals(name))) {
        Asset a = newAsset(ex, rel);
        a.state = "starter";
        a.data = new byte[0];
      }
    }
    holdUpload = null;
    held = null;
    holdEnded.release();
  }

  private static byte[] readBody(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      return in.readNBytes(64 << 20);
    }
  }

  private Reply route(HttpExchange ex, String path, byte[] body) throws IOException {
    String host = ex.getRequestHeaders().getFirst("Host");
    if (path.startsWith("/_fake/hold-upload")) {
      holdUpload = query(ex.getRequestURI()).get("name");
      return new Reply(204, null, Map.of());
    }
    if (path.startsWith("/_fake/state")) {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("held", held);
      state.put("uploads", uploads);
      return new Reply(200, state, Map.of());
    }
    if (path.startsWith("/_fake/stop")) {
      Thread stop = new Thread(() -> server.stop(1), "fake-github-stop");
      stop.setDaemon(true);
      stop.start();
      return new Reply(204, null, Map.of());
    }
    if (host != null && host.startsWith("localhost") && path.startsWith("/storage/")) {
      return storage(ex, path);
    }
    if (path.contains("/releases/download/")) {
      return browserDownload(path);
    }
    if (down) {
      return error(503, "Service Unavailable");
    }
    if (rateLimited > 0) {
      rateLimited--;
      long reset = clock.instant().getEpochSecond() + rateLimitSeconds;
      if (rateLimitWithRetryAfter) {
        return new Reply(
            429,
            message(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
            Map.of("retry-after", Long.toString(rateLimitSeconds)));
      }
      return new Reply(
          403,
          message("API rate limit exceeded for user ID 1."),
          Map.of(
              "x-ratelimit-limit", "5000",
              "x-ratelimit-remaining", "0",
              "x-ratelimit-used", "5000",
              "x-ratelimit-reset", Long.toString(reset),
              "x-ratelimit-resource", "core"));
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    boolean authenticated = false;
    boolean writer = false;
    if (auth != null) {
      String given =
          auth.startsWith("Bearer ")
              ? auth.substring(7)
              : auth.startsWith("token ") ? auth.substring(6) : null;
      if (given == null || !(given.equals(token) || given.equals(readOnlyToken))) {
        return error(401, "Bad credentials");
      }
      authenticated = true;
      writer = given.equals(token);
    }
    String method = ex.getRequestMethod();
    if (!method.equals("GET") && !authenticated) {
      return error(401, "Requires authentication");
    }
    if (!method.equals("GET") && !writer) {
      return error(403, "Resource not accessible by personal access token");
    }
    String version = ex.getRequestHeaders().getFirst("X-GitHub-Api-Version");
    if (version != null && !version.equals("2022-11-28")) {
      return error(400, "Invalid API version " + version);
    }
    Matcher up = UPLOAD.matcher(path);
    if (up.matches()) {
      return upload(ex, up.group(1) + "/" + up.group(2), Long.parseLong(up.group(3)), body);
    }
    Matcher m = REPO.matcher(path);
    if (!m.matches()) {
      return error(404, "Not Found");
    }
    Repo repo = repos.get(m.group(1) + "/" + m.group(2));
    if (repo == null) {
      return error(404, "Not Found");
    }
    String rest = m.group(3) == null ? "" : m.group(3);
    Map<String, String> query = query(ex.getRequestURI());
    if (rest.isEmpty() && method.equals("GET")) {
      ObjectNode o = JSON.createObjectNode();
      o.put("id", repo.id);
      o.put("full_name", repo.fullName);
      if (authenticated) {
        ObjectNode p = o.putObject("permissions");
        p.put("admin", false);
        p.put("push", writer);
        p.put("pull", true);
      }
      return ok(200, o);
    }
    if (rest.equals("/releases") && method.equals("GET")) {
      List<JsonNode> visible = new ArrayList<>();
      for (Release r : repo.releases) {
        if (!r.draft || authenticated) {
          visible.add(releaseJson(repo, r));
        }
      }
      return page(ex, visible, query);
    }
    if (rest.equals("/releases") && method.equals("POST")) {
      return createRelease(repo, body);
    }
    Matcher byTag = Pattern.compile("/releases/tags/(.+)").matcher(rest);
    if (byTag.matches() && method.equals("GET")) {
      String tag = URLDecoder.decode(byTag.group(1), StandardCharsets.UTF_8);
      for (Release r : repo.releases) {
        if (!r.draft && r.tagName.equals(tag)) {
          return ok(200, releaseJson(repo, r));
        }
      }
      return error(404, "Not Found");
    }
    Matcher assetM = Pattern.compile("/releases/assets/(\\d+)").matcher(rest);
    if (assetM.matches()) {
      long id = Long.parseLong(assetM.group(1));
      for (Release r : repo.releases) {
        for (Asset a : r.assets) {
          if (a.id == id && (!r.draft || authenticated)) {
            return asset(ex, method, repo, r, a);
          }
        }
      }
      return error(404, "Not Found");
    }
    Matcher relM = Pattern.compile("/releases/(\\d+)(/assets)?").matcher(rest);
    if (relM.matches()) {
      long id = Long.parseLong(relM.group(1));
      for (Release r : repo.releases) {
        if (r.id == id && (!r.draft || authenticated)) {
          if (relM.group(2) != null && method.equals("GET")) {
            List<JsonNode> list = new ArrayList<>();
            r.assets.forEach(a -> list.add(assetJson(repo, r, a)));
            return page(ex, list, query);
          }
          if (relM.group(2) == null && method.equals("GET")) {
            return ok(200, releaseJson(repo, r));
          }
          if (relM.group(2) == null && method.equals("PATCH")) {
            return updateRelease(repo, r, body);
          }
          return error(404, "Not Found");
        }
      }
      return error(404, "Not Found");
    }
    Matcher ref = Pattern.compile("/git/ref/tags/(.+)").matcher(rest);
    if (ref.matches() && method.equals("GET")) {
      String tag = URLDecoder.decode(ref.group(1), StandardCharsets.UTF_8);
      String sha = repo.tags.get(tag);
      if (sha == null) {
        return error(404, "Not Found");
      }
      ObjectNode o = JSON.createObjectNode();
      o.put("ref", "refs/tags/" + tag);
      ObjectNode obj = o.putObject("object");
      obj.put("type", "commit");
      obj.put("sha", sha);
      return ok(200, o);
    }
    return error(404, "Not Found");
  }

  private Reply createRelease(Repo repo, byte[] body) {
    JsonNode in;
    try {
      in = JSON.readTree(body);
    } catch (IOException e) {
      return error(400, "Problems parsing JSON");
    }
    if (!in.isObject()) {
      return error(400, "Problems parsing JSON");
    }
    String tag = in.path("tag_name").asText(null);
    if (tag == null || tag.isEmpty()) {
      return validation("Release", "missing_field", "tag_name");
    }
    for (Release r : repo.releases) {
      if (r.tagName.equals(tag)) {
        return validation("Release", "already_exists", "tag_name");
      }
    }
    String target = in.path("target_commitish").asText("main");
    if (!repo.tags.containsKey(tag) && !repo.commits.contains(target) && !target.equals("main")) {
      return validation("Release", "invalid", "target_commitish");
    }
    Reply latest = checkMakeLatest(in);
    if (latest != null) {
      return latest;
    }
    Release r = new Release(nextId++);
    r.tagName = tag;
    r.targetCommitish = target;
    r.name = in.path("name").asText(tag);
    r.body = in.path("body").asText("");
    r.draft = in.path("draft").asBoolean(false);
    r.prerelease = in.path("prerelease").asBoolean(false);
    r.makeLatest = in.path("make_latest").asText("true");
    if (!r.draft) {
      publish(repo, r);
    }
    repo.releases.add(0, r);
    return ok(201, releaseJson(repo, r));
  }

  private static Reply checkMakeLatest(JsonNode in) {
    if (in.has("make_latest")) {
      JsonNode v = in.get("make_latest");
      if (!v.isTextual() || !List.of("true", "false", "legacy").contains(v.asText())) {
        return validation("Release", "invalid", "make_latest");
      }
    }
    return null;
  }

  /** Publishing creates the tag at the target when it does not exist; immutability applies. */
  private static void publish(Repo repo, Release r) {
    repo.tags.putIfAbsent(r.tagName, r.targetCommitish);
    r.draft = false;
    r.immutable = repo.immutableReleases;
  }

  private Reply updateRelease(Repo repo, Release r, byte[] body) {
    JsonNode in;
    try {
      in = JSON.readTree(body);
    } catch (IOException e) {
      return error(400, "Problems parsing JSON");
    }
    Reply latest = checkMakeLatest(in);
    if (latest != null) {
      return latest;
    }
    if (r.immutable && (in.has("tag_name") || in.has("target_commitish") || in.has("draft"))) {
      return error(422, "Cannot modify an immutable release");
    }
    if (in.has("name")) {
      r.name = in.get("name").asText();
    }
    if (in.has("body")) {
      r.body = in.get("body").asText();
    }
    if (in.has("draft") && r.draft && !in.get("draft").asBoolean()) {
      publish(repo, r);
    }
    return ok(200, releaseJson(repo, r));
  }

  private Release release(String fullName, long releaseId) {
    Repo repo = repos.get(fullName);
    if (repo != null) {
      for (Release r : repo.releases) {
        if (r.id == releaseId) {
          return r;
        }
      }
    }
    return null;
  }

  private Asset newAsset(HttpExchange ex, Release rel) {
    Map<String, String> q = query(ex.getRequestURI());
    Asset a = new Asset(nextId++);
    // "GitHub renames asset filenames that have special characters, non-alphanumeric characters,
    // and leading or trailing periods."
    a.name = q.get("name").replaceAll("[^A-Za-z0-9._+-]", ".").replaceAll("^\\.+|\\.+$", "");
    a.label = q.get("label");
    a.contentType = ex.getRequestHeaders().getFirst("Content-Type");
    rel.assets.add(a);
    return a;
  }

  private Reply upload(HttpExchange ex, String fullName, long releaseId, byte[] body) {
    Repo repo = repos.get(fullName);
    Release rel = release(fullName, releaseId);
    if (rel == null) {
      return error(404, "Not Found");
    }
    Map<String, String> q = query(ex.getRequestURI());
    String name = q.get("name");
    if (name == null || name.isEmpty()) {
      return validation("ReleaseAsset", "missing_field", "name");
    }
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || type.isBlank()) {
      return validation("ReleaseAsset", "missing_field", "content_type");
    }
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length == null) {
      return error(411, "Length Required");
    }
    if (Long.parseLong(length) != body.length) {
      return error(400, "Bad Content-Length");
    }
    if (rel.immutable) {
      return error(422, "Cannot upload assets to an immutable release.");
    }
    for (Asset a : rel.assets) {
      if (a.name.equals(name)) {
        return validation("ReleaseAsset", "already_exists", "name");
      }
    }
    Asset a = newAsset(ex, rel);
    if (failUploads > 0) {
      failUploads--;
      a.state = "starter";
      a.data = new byte[0];
      return error(502, "Bad Gateway");
    }
    a.state = "uploaded";
    a.data = body;
    uploads++;
    if (uploadsUntilDown > 0 && --uploadsUntilDown == 0) {
      down = true;
    }
    return ok(201, assetJson(repo, rel, a));
  }

  private Reply asset(HttpExchange ex, String method, Repo repo, Release r, Asset a) {
    if (method.equals("DELETE")) {
      if (r.immutable) {
        return error(422, "Cannot delete assets of an immutable release.");
      }
      r.assets.remove(a);
      return new Reply(204, null, Map.of());
    }
    if (!method.equals("GET")) {
      return error(404, "Not Found");
    }
    String accept = ex.getRequestHeaders().getFirst("Accept");
    if ("application/octet-stream".equals(accept)) {
      return new Reply(
          302,
          null,
          Map.of(
              "Location", "http://localhost:" + port() + "/storage/" + a.id + "/" + enc(a.name)));
    }
    return ok(200, assetJson(repo, r, a));
  }

  private Reply storage(HttpExchange ex, String path) {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      storageAuthorizations.add(auth);
    }
    long id = Long.parseLong(path.split("/")[2]);
    for (Repo repo : repos.values()) {
      for (Release r : repo.releases) {
        for (Asset a : r.assets) {
          if (a.id == id) {
            return new Reply(200, a.data, Map.of("Content-Type", "application/octet-stream"));
          }
        }
      }
    }
    return error(404, "Not Found");
  }

  /** {@code /<owner>/<repo>/releases/download/<tag>/<name>}: published releases only. */
  private Reply browserDownload(String path) {
    String[] p = path.split("/");
    if (p.length != 7) {
      return error(404, "Not Found");
    }
    Repo repo = repos.get(p[1] + "/" + p[2]);
    String tag = URLDecoder.decode(p[5], StandardCharsets.UTF_8);
    String name = URLDecoder.decode(p[6], StandardCharsets.UTF_8);
    if (repo != null) {
      for (Release r : repo.releases) {
        if (!r.draft && r.tagName.equals(tag)) {
          for (Asset a : r.assets) {
            if (a.name.equals(name) && a.state.equals("uploaded")) {
              return new Reply(200, a.data, Map.of("Content-Type", "application/octet-stream"));
            }
          }
        }
      }
    }
    return error(404, "Not Found");
  }

  private Reply page(HttpExchange ex, List<JsonNode> all, Map<String, String> query) {
    int perPage;
    int page;
    try {
      perPage = Math.min(100, Integer.parseInt(query.getOrDefault("per_page", "30")));
      page = Integer.parseInt(query.getOrDefault("page", "1"));
    } catch (NumberFormatException e) {
      return error(400, "Invalid pagination");
    }
    if (perPage < 1 || page < 1) {
      return error(400, "Invalid pagination");
    }
    int from = Math.min(all.size(), (page - 1) * perPage);
    int to = Math.min(all.size(), from + perPage);
    ArrayNode out = JSON.createArrayNode();
    all.subList(from, to).forEach(out::add);
    int last = Math.max(1, (all.size() + perPage - 1) / perPage);
    Map<String, String> headers = new LinkedHashMap<>();
    List<String> links = new ArrayList<>();
    String base =
        "http://127.0.0.1:"
            + port()
            + ex.getRequestURI().getRawPath()
            + "?per_page="
            + perPage
            + "&page=";
    if (page < last) {
      links.add("<" + base + (page + 1) + ">; rel=\"next\"");
      links.add("<" + base + last + ">; rel=\"last\"");
    }
    if (page > 1) {
      links.add("<" + base + 1 + ">; rel=\"first\"");
      links.add("<" + base + (page - 1) + ">; rel=\"prev\"");
    }
    if (!links.isEmpty()) {
      headers.put("Link", String.join(", ", links));
    }
    return new Reply(200, out, headers);
  }

  private ObjectNode releaseJson(Repo repo, Release r) {
    String api = "http://127.0.0.1:" + port() + "/api/v3/repos/" + repo.fullName;
    ObjectNode o = JSON.createObjectNode();
    o.put("url", api + "/releases/" + r.id);
    o.put("assets_url", api + "/releases/" + r.id + "/assets");
    o.put(
        "upload_url",
        "http://"
            + uploadHost
            + ":"
            + port()
            + "/api/uploads/repos/"
            + repo.fullName
            + "/releases/"
            + r.id
            + "/assets{?name,label}");
    o.put(
        "html_url",
        "http://127.0.0.1:"
            + port()
            + "/"
            + repo.fullName
            + "/releases/"
            + (r.draft ? "tag/untagged-" + r.id : "tag/" + r.tagName));
    o.put("id", r.id);
    o.put("tag_name", r.tagName);
    o.put("target_commitish", r.targetCommitish);
    o.put("name", r.name);
    o.put("body", r.body);
    o.put("draft", r.draft);
    o.put("prerelease", r.prerelease);
    o.put("immutable", r.immutable);
    ArrayNode assets = o.putArray("assets");
    r.assets.forEach(a -> assets.add(assetJson(repo, r, a)));
    return o;
  }

  private ObjectNode assetJson(Repo repo, Release r, Asset a) {
    ObjectNode o = JSON.createObjectNode();
    o.put(
        "url",
        "http://127.0.0.1:"
            + port()
            + "/api/v3/repos/"
            + repo.fullName
            + "/releases/assets/"
            + a.id);
    o.put(
        "browser_download_url",
        "http://127.0.0.1:"
            + port()
            + "/"
            + repo.fullName
            + "/releases/download/"
            + (r.draft ? "untagged-" + r.id : enc(r.tagName))
            + "/"
            + enc(a.name));
    o.put("id", a.id);
    o.put("name", a.name);
    if (a.label == null) {
      o.putNull("label");
    } else {
      o.put("label", a.label);
    }
    o.put("state", a.state);
    o.put("content_type", a.contentType);
    o.put("size", a.data.length);
    if (digests && a.state.equals("uploaded")) {
      o.put("digest", a.digest());
    } else {
      o.putNull("digest");
    }
    o.put("download_count", 0);
    return o;
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = uri.getRawQuery();
    if (q == null) {
      return out;
    }
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static ObjectNode message(String text) {
    ObjectNode o = JSON.createObjectNode();
    o.put("message", text);
    o.put("documentation_url", DOCS);
    return o;
  }

  private static Reply error(int status, String text) {
    ObjectNode o = message(text);
    o.put("status", Integer.toString(status));
    return new Reply(status, o, Map.of());
  }

  private static Reply validation(String resource, String code, String field) {
    ObjectNode o = message("Validation Failed");
    ObjectNode e = o.putArray("errors").addObject();
    e.put("resource", resource);
    e.put("code", code);
    e.put("field", field);
    o.put("status", "422");
    return new Reply(422, o, Map.of());
  }

  private static Reply ok(int status, JsonNode body) {
    return new Reply(status, body, Map.of());
  }

  private void send(HttpExchange ex, Reply reply) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("x-ratelimit-limit", "5000");
    h.set("x-ratelimit-remaining", "4999");
    h.set("x-ratelimit-reset", Long.toString(clock.instant().getEpochSecond() + 3600));
    h.set("x-ratelimit-resource", "core");
    reply.headers().forEach(h::set);
    byte[] bytes;
    if (reply.body() == null) {
      bytes = new byte[0];
    } else if (reply.body() instanceof byte[] b) {
      bytes = b;
    } else {
      bytes = JSON.writeValueAsBytes(reply.body());
      h.set("Content-Type", "application/json; charset=utf-8");
    }
    ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For the ITs: serves until {@code POST /_fake/stop}. Arguments: port, token. */
  public static FakeGitHub start(int port, String token) throws IOException {
    return new FakeGitHub(token, port, Clock.systemUTC());
  }
}
