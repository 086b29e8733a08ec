package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.image.CredentialSource.Credential;
import dev.rebuild.core.model.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A small client of the OCI distribution API (the registry HTTP API v2) on {@link HttpClient}.
 *
 * <p>Speaks HTTPS, and plain HTTP only to registries named insecure. Authenticates with the
 * challenge the registry sends: Bearer tokens from the {@code WWW-Authenticate} realm (with the
 * credentials as basic auth to the realm when there are any), or basic auth. Retries connection
 * errors, stalled bodies, 429 and 5xx answers with exponential backoff, or after the {@code
 * Retry-After} a 429 or 503 names (at most {@link #MAX_RETRY_AFTER}). Credentials and tokens never
 * appear in exceptions.
 *
 * <p>Redirects are followed here, not by the HttpClient: registries send blob downloads to other
 * hosts (S3, a CDN), and what the JDK does with a hand-set {@code Authorization} header on a
 * redirect differs between versions. The header goes only to the scheme, host and port it was meant
 * for (the registry's, or the token realm's), never from HTTPS to HTTP, and a chain ends after
 * {@link #MAX_REDIRECTS} hops.
 *
 * <p>A registry is trusted with neither memory nor time: manifests, indexes and tokens are read up
 * to {@link #MAX_MANIFEST_BYTES}, a blob up to its descriptor's size, and a body that delivers less
 * than {@link #MIN_PROGRESS_BYTES} within the stall timeout is abandoned.
 */
public final class RegistryClient {

  /** A manifest or index as the registry served it. */
  public record Manifest(String mediaType, byte[] bytes, String digest) {}

  /** Manifests, indexes and token answers are read whole; an honest one is a few KiB. */
  public static final int MAX_MANIFEST_BYTES = LayoutPusher.MAX_JSON_BYTES;

  /** Layers of one image manifest; real images have tens. */
  public static final int MAX_LAYERS = 1000;

  /** Manifests of one index: a platform image each, plus attestations. */
  public static final int MAX_INDEX_MANIFESTS = 256;

  /** Redirects followed for one request. */
  public static final int MAX_REDIRECTS = 5;

  /** The longest wait a {@code Retry-After} gets; a registry asking more gets this. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

  /** How long a body may deliver less than {@link #MIN_PROGRESS_BYTES} before it is abandoned. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

  /** What a body must deliver per stall timeout: a trickle is a stall (64 KiB, ~2 KiB/s). */
  public static final int MIN_PROGRESS_BYTES = 64 * 1024;

  static final String ACCEPT =
      String.join(
          ", ",
          MediaTypes.OCI_INDEX,
          MediaTypes.OCI_MANIFEST,
          MediaTypes.DOCKER_LIST,
          MediaTypes.DOCKER_MANIFEST);

  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  /** An upload of a large blob may take long before the registry answers. */
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

  private static final int EXCERPT_BYTES = 300;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "registry-stall-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final HttpClient http;
  private final CredentialSource credentials;
  private final Set<String> insecure;
  private final int attempts;
  private final Duration backoff;
  private final Duration stallTimeout;
  private final Consumer<String> notices;
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  /**
   * A client with its own stall timeout and receiver of waits.
   *
   * @param stallTimeout how long a response may take to start, or its body to deliver {@link
   *     #MIN_PROGRESS_BYTES}, before the attempt fails
   * @param notices told when the client waits because the registry asked it to
   */
  public RegistryClient(
      CredentialSource credentials,
      Set<String> insecureRegistries,
      int attempts,
      Duration backoff,
      Duration stallTimeout,
      Consumer<String> notices) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    this.credentials = credentials;
    this.insecure = Set.copyOf(insecureRegistries);
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
    this.stallTimeout = stallTimeout;
    this.notices = notices;
  }

  /** The default stall timeout; waits are logged. */
  public RegistryClient(
      CredentialSource credentials,
      Set<String> insecureRegistries,
      int attempts,
      Duration backoff) {
    this(
        credentials,
        insecureRegistries,
        attempts,
        backoff,
        DEFAULT_STALL_TIMEOUT,
        message ->
            System.getLogger(RegistryClient.class.getName())
                .log(System.Logger.Level.INFO, message));
  }

  /** Four attempts, 250 ms backoff doubling. */
  public RegistryClient(CredentialSource credentials, Set<String> insecureRegistries) {
    this(credentials, insecureRegistries, 4, Duration.ofMillis(250));
  }

  private URI base(String registry) {
    String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    return URI.create((insecure.contains(registry) ? "http://" : "https://") + host);
  }

  private URI uri(String registry, String repo, String path) {
    return base(registry).resolve("/v2/" + repo + "/" + path);
  }

  /** The manifest or index at {@code reference} (tag or digest), empty if there is none. */
  public Optional<Manifest> getManifest(String registry, String repo, String reference)
      throws ImageException {
    String name = "manifest " + reference + " of " + registry + "/" + repo;
    Answer<byte[]> r = getJson(registry, repo, "manifests/" + reference, ACCEPT, name);
    if (r.status() == 404) {
      return Optional.empty();
    }
    expect(r, 200, "get " + name);
    String digest = Digest.of(r.value()).toString();
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw new ImageException(
          registry + "/" + repo + " served manifest " + digest + " for " + reference);
    }
    return Optional.of(new Manifest(contentType(r), r.value(), digest));
  }

  /** A GET of a manifest-sized JSON document, read up to {@link #MAX_MANIFEST_BYTES}. */
  private Answer<byte[]> getJson(
      String registry, String repo, String path, String accept, String name) throws ImageException {
    return send(
        registry,
        repo,
        false,
        () -> HttpRequest.newBuilder(uri(registry, repo, path)).header("Accept", accept).GET(),
        body -> readAtMost(body, MAX_MANIFEST_BYTES, name));
  }

  /** The media type of an answer, without parameters. */
  private static String contentType(Answer<?> r) {
    String type = r.headers().firstValue("Content-Type").orElse("");
    int semi = type.indexOf(';');
    return semi >= 0 ? type.substring(0, semi).trim() : type.trim();
  }

  /** The digest {@code reference} points at, empty if none. */
  public Optional<String> headManifest(String registry, String repo, String reference)
      throws ImageException {
    Answer<Void> r =
        send(
            registry,
            repo,
            false,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "manifests/" + reference))
                    .header("Accept", ACCEPT)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            RegistryClient::ignore);
    if (r.status() == 404) {
      return Optional.empty();
    }
    expect(r, 200, "check manifest " + reference + " of " + registry + "/" + repo);
    Optional<String> d = r.headers().firstValue("Docker-Content-Digest");
    if (d.isPresent()) {
      return d;
    }
    return getManifest(registry, repo, reference).map(Manifest::digest);
  }

  public boolean blobExists(String registry, String repo, String digest) throws ImageException {
    Answer<Void> r =
        send(
            registry,
            repo,
            false,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "blobs/" + digest))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            RegistryClient::ignore);
    if (r.status() == 404) {
      return false;
    }
    expect(r, 200, "check blob " + digest + " in " + registry + "/" + repo);
    return true;
  }

  /**
   * Downloads a blob to {@code target}, checking its size and digest; a registry sending more than
   * {@code size} bytes is cut off.
   */
  public void getBlob(String registry, String repo, String digest, long size, Path target)
      throws ImageException {
    String name = "blob " + digest + " of " + registry + "/" + repo;
    Digest expected;
    try {
      expected = Digest.parse(digest);
    } catch (IllegalArgumentException e) {
      throw ImageException.badInput(name + " has no sha256 digest: " + e.getMessage());
    }
    if (size < 0) {
      throw ImageException.badInput(name + " has a negative size " + size + " in its descriptor");
    }
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try {
      Answer<String> r =
          send(
              registry,
              repo,
              false,
              () -> HttpRequest.newBuilder(uri(registry, repo, "blobs/" + digest)).GET(),
              body -> store(body, part, size, name));
      if (r.status() == 404) {
        throw new ImageException(name + " is missing: the image is broken");
      }
      expect(r, 200, "download " + name);
      if (!r.value().equals(expected.hex())) {
        throw new ImageException(name + " downloaded as sha256:" + r.value());
      }
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ImageException("cannot store blob " + digest + " at " + target + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(part);
      } catch (IOException ignored) {
        // a leftover part file in a temp directory is harmless
      }
    }
  }

  /** Writes exactly {@code size} bytes of {@code body} to {@code file}; the hex sha256 of them. */
  private static String store(InputStream body, Path file, long size, String name)
      throws IOException, ImageException {
    MessageDigest sha = Digest.sha256();
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      int n;
      while ((n = body.read(buf, 0, (int) Math.min(buf.length, size - total + 1))) > 0) {
        total += n;
        if (total > size) {
          throw ImageException.badInput(
              name
                  + ": the registry sent more than the "
                  + size
                  + " bytes its descriptor gives; refused");
        }
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    if (total < size) {
      throw new IOException(name + " ended after " + total + " of " + size + " bytes");
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Mounts a blob from another repository of the same registry.
   *
   * @return true if mounted; false if the registry would not (the blob must then be uploaded)
   */
  public boolean mountBlob(String registry, String repo, String digest, String fromRepo)
      throws ImageException {
    String q =
        "blobs/uploads/?mount="
            + URLEncoder.encode(digest, StandardCharsets.UTF_8)
            + "&from="
            + URLEncoder.encode(fromRepo, StandardCharsets.UTF_8);
    Answer<Void> r =
        send(
            registry,
            repo,
            true,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, q))
                    .POST(HttpRequest.BodyPublishers.noBody()),
            RegistryClient::ignore);
    if (r.status() == 201) {
      return true;
    }
    if (r.status() == 202) {
      // The registry opened an upload session instead; it expires unused.
      return false;
    }
    expect(r, 201, "mount blob " + digest + " into " + registry + "/" + repo);
    return false;
  }

  /** Uploads a blob monolithically (POST for a session, one PUT with the content). */
  public void pushBlob(String registry, String repo, String digest, Path file)
      throws ImageException {
    Answer<Void> start =
        send(
            registry,
            repo,
            true,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()),
            RegistryClient::ignore);
    expect(start, 202, "start upload of blob " + digest + " to " + registry + "/" + repo);
    String location =
        start
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new ImageException(registry + " answered an upload without a Location header"));
    URI put =
        start
            .uri()
            .resolve(
                location
                    + (location.contains("?") ? "&" : "?")
                    + "digest="
                    + URLEncoder.encode(digest, StandardCharsets.UTF_8));
    Answer<Void> r =
        send(
            registry,
            repo,
            true,
            () -> {
              try {
                return HttpRequest.newBuilder(put)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file));
              } catch (IOException e) {
                throw new IllegalStateException("blob file vanished: " + file, e);
              }
            },
            RegistryClient::ignore);
    expect(r, 201, "upload blob " + digest + " to " + registry + "/" + repo);
  }

  /**
   * Puts a manifest or index under {@code reference} (digest or tag).
   *
   * @return the {@code OCI-Subject} header: a registry with the referrers API names the subject of
   *     a manifest that has one
   */
  public Optional<String> putManifest(
      String registry, String repo, String reference, String mediaType, byte[] body)
      throws ImageException {
    Answer<Void> r =
        send(
            registry,
            repo,
            true,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "manifests/" + reference))
                    .header("Content-Type", mediaType)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
            RegistryClient::ignore);
    expect(r, 201, "put manifest " + reference + " to " + registry + "/" + repo);
    return r.headers().firstValue("OCI-Subject");
  }

  /**
   * The referrers index of {@code digest} from the registry's referrers API (OCI distribution 1.1);
   * empty when the registry has no such API (it answers 404, or 400/405 as some do for a path they
   * do not know).
   */
  public Optional<Manifest> referrers(String registry, String repo, String digest)
      throws ImageException {
    String name = "referrers of " + digest + " in " + registry + "/" + repo;
    Answer<byte[]> r = getJson(registry, repo, "referrers/" + digest, MediaTypes.OCI_INDEX, name);
    if (r.status() == 404 || r.status() == 400 || r.status() == 405) {
      return Optional.empty();
    }
    expect(r, 200, "get " + name);
    String type = contentType(r);
    if (!type.equals(MediaTypes.OCI_INDEX)) {
      return Optional.empty();
    }
    return Optional.of(new Manifest(type, r.value(), Digest.of(r.value()).toString()));
  }

  /**
   * The blobs and manifests {@code m} refers to, digest to size, after checking it lists at most
   * {@link #MAX_LAYERS} layers and {@link #MAX_INDEX_MANIFESTS} manifests, and a config of at most
   * {@link #MAX_MANIFEST_BYTES} (it is read whole). JSON that does not parse refers to nothing: the
   * caller reports it where it reads the content.
   *
   * @param where names the manifest in the refusal
   */
  static Map<String, Long> descriptors(Manifest m, String where) throws ImageException {
    JsonNode node;
    try {
      node = JSON.readTree(m.bytes());
    } catch (IOException e) {
      return Map.of();
    }
    if (node == null) {
      return Map.of();
    }
    JsonNode layers = node.path("layers");
    JsonNode manifests = node.path("manifests");
    if (layers.isArray() && layers.size() > MAX_LAYERS) {
      throw ImageException.badInput(
          where
              + " lists "
              + layers.size()
              + " layers, more than the "
              + MAX_LAYERS
              + " an image may have here; refused");
    }
    if (manifests.isArray() && manifests.size() > MAX_INDEX_MANIFESTS) {
      throw ImageException.badInput(
          where
              + " lists "
              + manifests.size()
              + " manifests, more than the "
              + MAX_INDEX_MANIFESTS
              + " an index may have here; refused");
    }
    long configSize = node.path("config").path("size").asLong(0);
    if (configSize > MAX_MANIFEST_BYTES) {
      throw ImageException.badInput(
          where
              + " gives its config "
              + configSize
              + " bytes, more than the "
              + MAX_MANIFEST_BYTES
              + " a config may have here; refused");
    }
    Map<String, Long> sizes = new HashMap<>();
    addDescriptor(sizes, node.path("config"));
    layers.forEach(d -> addDescriptor(sizes, d));
    manifests.forEach(d -> addDescriptor(sizes, d));
    return sizes;
  }

  private static void addDescriptor(Map<String, Long> sizes, JsonNode d) {
    String digest = d.path("digest").asText("");
    if (!digest.isEmpty() && d.path("size").canConvertToLong()) {
      sizes.put(digest, d.path("size").asLong());
    }
  }

  /** A response: the reader's value for a 2xx, an excerpt of the body for any other status. */
  private record Answer<T>(int status, HttpHeaders headers, URI uri, T value, String excerpt) {}

  /** Reads the body of a 2xx response. */
  @FunctionalInterface
  private interface BodyReader<T> {
    T read(InputStream body) throws IOException, ImageException;
  }

  private static Void ignore(InputStream body) {
    return null;
  }

  /** The body, refused with {@code name} when it is larger than {@code max}. */
  private static byte[] readAtMost(InputStream body, int max, String name)
      throws IOException, ImageException {
    byte[] bytes = body.readNBytes(max + 1);
    if (bytes.length > max) {
      throw ImageException.badInput(name + " is larger than " + max + " bytes; refused");
    }
    return bytes;
  }

  private <T> Answer<T> send(
      String registry,
      String repo,
      boolean push,
      Supplier<HttpRequest.Builder> request,
      BodyReader<T> reader)
      throws ImageException {
    String scopeKey = registry + " " + repo + (push ? " push" : " pull");
    URI origin = base(registry);
    Answer<T> r = sendWithRetries(registry, request, authorizations.get(scopeKey), origin, reader);
    if (r.status() != 401) {
      return r;
    }
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
    String authorization = authorize(registry, repo, push, challenge);
    authorizations.put(scopeKey, authorization);
    r = sendWithRetries(registry, request, authorization, origin, reader);
    if (r.status() == 401 || r.status() == 403) {
      throw refused(registry, repo, r.status());
    }
    return r;
  }

  /** The credentials for a registry; a broken credential store becomes an ImageException. */
  private Optional<Credential> credentialFor(String registry) throws ImageException {
    try {
      return credentials.forRegistry(registry);
    } catch (RuntimeException e) {
      throw new ImageException(
          "cannot get the credentials for " + registry + ": " + e.getMessage(), e);
    }
  }

  private ImageException refused(String registry, String repo, int status) throws ImageException {
    boolean has = credentialFor(registry).isPresent();
    return ImageException.badInput(
        "registry "
            + registry
            + " refused access to "
            + repo
            + " (HTTP "
            + status
            + "): "
            + (has
                ? "the credentials given for " + registry + " were not accepted; check them"
                : "no credentials for "
                    + registry
                    + "; add a <server> with id "
                    + registry
                    + " to settings.xml or log in with docker login"));
  }

  private String authorize(String registry, String repo, boolean push, String challenge)
      throws ImageException {
    Optional<Credential> cred = credentialFor(registry);
    String scheme = challenge.split(" ", 2)[0].toLowerCase(Locale.ROOT);
    if (scheme.equals("basic")) {
      if (cred.isEmpty()) {
        throw refused(registry, repo, 401);
      }
      return basic(cred.get());
    }
    if (!scheme.equals("bearer")) {
      throw new ImageException(
          "registry "
              + registry
              + " asks for an unsupported authentication scheme '"
              + scheme
              + "'");
    }
    Map<String, String> params = challengeParams(challenge);
    String realm = params.get("realm");
    if (realm == null) {
      throw new ImageException("registry " + registry + " sent a Bearer challenge without realm");
    }
    String scope =
        params.getOrDefault("scope", "repository:" + repo + ":" + (push ? "pull,push" : "pull"));
    if (push && !scope.contains("push")) {
      scope = "repository:" + repo + ":pull,push";
    }
    StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (params.containsKey("service")) {
      q.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
      q.append('&');
    }
    q.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    URI tokenUri = URI.create(q.toString());
    String auth = cred.map(RegistryClient::basic).orElse(null);
    String what = "get a token from " + tokenUri.getHost();
    Answer<byte[]> r =
        sendWithRetries(
            registry,
            () -> HttpRequest.newBuilder(tokenUri).GET(),
            auth,
            tokenUri,
            body -> readAtMost(body, MAX_MANIFEST_BYTES, "the answer to " + what));
    if (r.status() == 401 || r.status() == 403) {
      throw refused(registry, repo, r.status());
    }
    expect(r, 200, what);
    try {
      JsonNode body = JSON.readTree(r.value());
      JsonNode token = body.hasNonNull("token") ? body.get("token") : body.get("access_token");
      if (token == null || token.asText().isEmpty()) {
        throw new ImageException("the token service of " + registry + " returned no token");
      }
      return "Bearer " + token.asText();
    } catch (IOException e) {
      throw new ImageException("the token service of " + registry + " returned no JSON");
    }
  }

  static Map<String, String> challengeParams(String challenge) {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    }
    return params;
  }

  private static String basic(Credential c) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends a request, retrying connection errors, stalls, 429 and 5xx; {@code authorization} goes
   * only to requests with the scheme, host and port of {@code authOrigin}.
   */
  private <T> Answer<T> sendWithRetries(
      String registry,
      Supplier<HttpRequest.Builder> request,
      String authorization,
      URI authOrigin,
      BodyReader<T> reader)
      throws ImageException {
    long wait = backoff.toMillis();
    IOException last = null;
    Answer<T> answer = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      Optional<Duration> asked = Optional.empty();
      try {
        HttpResponse<InputStream> r = exchange(registry, request, authorization, authOrigin);
        int s = r.statusCode();
        try (Watched body = new Watched(r.body(), r.uri(), stallTimeout)) {
          if (s >= 200 && s < 300) {
            return new Answer<>(s, r.headers(), r.uri(), reader.read(body), "");
          }
          String excerpt =
              new String(body.readNBytes(EXCERPT_BYTES), StandardCharsets.UTF_8).strip();
          answer = new Answer<>(s, r.headers(), r.uri(), null, excerpt);
        }
        if (s != 429 && s < 500) {
          return answer;
        }
        if (s == 429 || s == 503) {
          asked = retryAfter(r.headers().firstValue("Retry-After"), Instant.now());
        }
        last = null;
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageException("interrupted while talking to " + registry);
      }
      if (attempt < attempts) {
        long sleep = wait;
        if (asked.isPresent()) {
          Duration d = asked.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : asked.get();
          sleep = d.toMillis();
          notices.accept(
              "registry "
                  + registry
                  + " answered HTTP "
                  + answer.status()
                  + " asking to retry after "
                  + asked.get().toSeconds()
                  + " s; waiting "
                  + d.toSeconds()
                  + " s (attempt "
                  + attempt
                  + " of "
                  + attempts
                  + ")");
        }
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ImageException("interrupted while talking to " + registry);
        }
        wait *= 2;
      }
    }
    if (last instanceof StallException) {
      throw new ImageException(
          "registry "
              + registry
              + " stalled"
              + (attempts > 1 ? " " + attempts + " times" : "")
              + ": "
              + last.getMessage(),
          last);
    }
    if (last != null) {
      String why =
          last instanceof ConnectException
              ? "cannot connect"
              : last.getClass().getSimpleName()
                  + (last.getMessage() == null ? "" : ": " + last.getMessage());
      throw new ImageException(
          "registry "
              + registry
              + " did not answer after "
              + attempts
              + " attempts ("
              + why
              + "); check that it runs"
              + (insecure.contains(registry)
                  ? ""
                  : " and speaks HTTPS (list it as insecure if it speaks plain HTTP)"),
          last);
    }
    return answer;
  }

  /**
   * One request and the redirects it gets. {@code authorization} is set on each hop with the
   * scheme, host and port of {@code authOrigin} only.
   */
  private HttpResponse<InputStream> exchange(
      String registry, Supplier<HttpRequest.Builder> request, String authorization, URI authOrigin)
      throws IOException, InterruptedException, ImageException {
    HttpRequest first = request.get().build();
    boolean upload = !first.method().equals("GET") && !first.method().equals("HEAD");
    URI uri = first.uri();
    boolean asGet = false;
    List<URI> hops = new ArrayList<>(List.of(uri));
    while (true) {
      HttpRequest.Builder b = request.get().uri(uri);
      if (asGet) {
        b.GET();
      }
      b.timeout(upload && !asGet ? UPLOAD_TIMEOUT : stallTimeout);
      if (authorization != null && sameOrigin(uri, authOrigin)) {
        b.header("Authorization", authorization);
      }
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      Optional<String> location = r.headers().firstValue("Location");
      if (!REDIRECTS.contains(r.statusCode()) || location.isEmpty()) {
        return r;
      }
      r.body().close();
      URI next = redirectTarget(registry, uri, location.get());
      if (hops.contains(next)) {
        hops.add(next);
        throw new ImageException(
            "registry " + registry + " redirected in a loop: " + chain(hops) + "; refused");
      }
      hops.add(next);
      if (hops.size() > MAX_REDIRECTS + 1) {
        throw new ImageException(
            "registry "
                + registry
                + " redirected more than "
                + MAX_REDIRECTS
                + " times: "
                + chain(hops)
                + "; refused");
      }
      if ((r.statusCode() == 303 && !first.method().equals("HEAD"))
          || ((r.statusCode() == 301 || r.statusCode() == 302) && upload)) {
        asGet = true;
      }
      uri = next;
    }
  }

  /**
   * Where a redirect from {@code from} leads; refuses a step from HTTPS down to HTTP (it would send
   * the request, and what it says, in clear) and schemes other than HTTP(S).
   */
  static URI redirectTarget(String registry, URI from, String location) throws ImageException {
    URI next;
    try {
      next = from.resolve(location.strip());
    } catch (IllegalArgumentException e) {
      throw new ImageException(
          "registry " + registry + " redirected " + shown(from) + " to a malformed location");
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || next.getHost() == null) {
      throw new ImageException(
          "registry "
              + registry
              + " redirected "
              + shown(from)
              + " to a location that is no HTTP(S) URL; refused");
    }
    if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
      throw new ImageException(
          "registry "
              + registry
              + " redirected "
              + shown(from)
              + " to plain HTTP ("
              + shown(next)
              + "); a redirect from HTTPS to HTTP is refused");
    }
    return next;
  }

  /** Whether a credential meant for {@code origin} may be sent to {@code target}. */
  static boolean sameOrigin(URI target, URI origin) {
    return target.getScheme().equalsIgnoreCase(origin.getScheme())
        && target.getHost() != null
        && target.getHost().equalsIgnoreCase(origin.getHost())
        && port(target) == port(origin);
  }

  private static int port(URI u) {
    if (u.getPort() != -1) {
      return u.getPort();
    }
    return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  /** A URL without its query: presigned storage URLs carry credentials there. */
  static String shown(URI u) {
    return u.getScheme()
        + "://"
        + u.getHost()
        + (u.getPort() == -1 ? "" : ":" + u.getPort())
        + (u.getRawPath() == null ? "" : u.getRawPath());
  }

  private static String chain(List<URI> hops) {
    return hops.stream().map(RegistryClient::shown).collect(Collectors.joining(" -> "));
  }

  /** The wait a {@code Retry-After} header asks for: delta-seconds or an HTTP date. */
  static Optional<Duration> retryAfter(Optional<String> header, Instant now) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String v = header.get().strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      // not delta-seconds; an HTTP date then
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static void expect(Answer<?> r, int status, String what) throws ImageException {
    int s = r.status();
    if (s == status) {
      return;
    }
    String body = r.excerpt();
    throw new ImageException("cannot " + what + ": HTTP " + s + (body.isEmpty() ? "" : " " + body));
  }

  /** A body failed to deliver {@link #MIN_PROGRESS_BYTES} within the stall timeout. */
  static final class StallException extends IOException {
    StallException(String message) {
      super(message);
    }
  }

  /**
   * A response body a watchdog closes when it delivers less than {@link #MIN_PROGRESS_BYTES} in a
   * stall timeout, so that a read blocked on a silent or trickling server returns.
   */
  private static final class Watched extends FilterInputStream {
    private final AtomicLong count = new AtomicLong();
    private final URI uri;
    private final Duration timeout;
    private final ScheduledFuture<?> watchdog;
    private volatile boolean stalled;

    Watched(InputStream in, URI uri, Duration timeout) {
      super(in);
      this.uri = uri;
      this.timeout = timeout;
      long[] seen = {0};
      this.watchdog =
          WATCHDOG.scheduleAtFixedRate(
              () -> {
                long now = count.get();
                if (now - seen[0] < MIN_PROGRESS_BYTES && !stalled) {
                  stalled = true;
                  try {
                    in.close();
                  } catch (IOException ignored) {
                    // the reader fails on the stall either way
                  }
                }
                seen[0] = now;
              },
              timeout.toMillis(),
              timeout.toMillis(),
              TimeUnit.MILLISECONDS);
    }

    private StallException stall() {
      return new StallException(
          shown(uri)
              + " delivered less than "
              + MIN_PROGRESS_BYTES
              + " bytes in "
              + (timeout.toMillis() % 1000 == 0
                  ? timeout.toSeconds() + " s"
                  : timeout.toMillis() + " ms")
              + " (after "
              + count.get()
              + " bytes)");
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        if (stalled) {
          throw stall();
        }
        throw e;
      }
      if (stalled) {
        throw stall();
      }
      if (n > 0) {
        count.addAndGet(n);
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      watchdog.cancel(false);
      in.close();
    }
  }
}
