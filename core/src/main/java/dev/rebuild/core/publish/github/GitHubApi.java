package dev.rebuild.core.publish.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.image.ImageException;
import dev.rebuild.core.image.RegistryClient;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.io.WatchedStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of GitHub's REST API on {@link HttpClient}, for what publishing needs: JSON
 * requests, paginated lists, asset uploads and downloads.
 *
 * <p>The token goes only to the API's own scheme, host and port, and over HTTPS to the upload host
 * that is the API host's sibling ({@code uploads.github.com} for {@code api.github.com}, {@code
 * uploads.SUBDOMAIN.ghe.com} for {@code api.SUBDOMAIN.ghe.com}); GitHub Enterprise Server serves
 * uploads under its API host ({@code https://HOST/api/uploads}), which is the same origin. An
 * {@code upload_url} or a pagination link on any other host is refused, not sent the token.
 * Redirects are followed here (at most {@value RegistryClient#MAX_REDIRECTS}, never from HTTPS down
 * to HTTP), and the token rides along only to those origins: an asset download that GitHub sends on
 * to its storage host goes there without it.
 *
 * <p>Every answer is bounded: JSON bodies to {@value #MAX_JSON} bytes, a body that falls silent for
 * {@link #SILENCE} fails. Rate limits (403 or 429 with {@code Retry-After}, or with {@code
 * X-RateLimit-Remaining: 0} and {@code X-RateLimit-Reset}) are waited out and reported, up to
 * {@code maxWait}; a longer wait fails naming when the limit resets. Idempotent requests are
 * retried after connection errors and 5xx.
 */
public final class GitHubApi {

  /** Sleeps; tests replace it to record waits instead of sleeping. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  /** A request the API refused or could not answer. */
  public static final class ApiException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    ApiException(String message, int status, String body, Throwable cause) {
      super(message, cause);
      this.status = status;
      this.body = body;
    }

    /** The HTTP status, or -1 when the server did not answer. */
    public int status() {
      return status;
    }

    /** An excerpt of the answer. */
    public String body() {
      return body;
    }
  }

  /** An answer: status, headers and (for JSON) the parsed body. */
  public record Answer(int status, HttpHeaders headers, URI uri, JsonNode json, String excerpt) {}

  static final int MAX_JSON = 16 << 20;
  private static final int EXCERPT = 2048;
  static final Duration SILENCE = Duration.ofSeconds(60);
  private static final Duration API_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(60);
  private static final int ATTEMPTS = 4;
  private static final int RATE_LIMIT_WAITS = 3;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
  private static final int MAX_PAGES = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI api;
  private final String token;
  private final HttpClient http;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration maxWait;
  private final Duration backoff;
  private final Consumer<String> notices;

  /**
   * @param api the API root ({@code https://api.github.com}, {@code https://HOST/api/v3})
   * @param token null for none
   * @param maxWait the longest rate-limit wait; longer ones fail
   * @param notices where waits and retries are reported
   */
  public GitHubApi(
      URI api,
      String token,
      Clock clock,
      Sleeper sleeper,
      Duration maxWait,
      Duration backoff,
      Consumer<String> notices) {
    String root = api.toString();
    this.api = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    this.token = token;
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxWait = maxWait;
    this.backoff = backoff;
    this.notices = notices;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
  }

  /** The API root without a final slash. */
  public URI root() {
    return api;
  }

  /** {@code root + path}; path starts with a slash and is already escaped. */
  public URI at(String path) {
    return URI.create(api + path);
  }

  /**
   * Whether the token may go to {@code target}: the API's origin, or over HTTPS the upload host
   * {@code uploads.X} of an API host {@code api.X}.
   */
  public boolean mayCarryToken(URI target) {
    if (RegistryClient.sameOrigin(target, api)) {
      return true;
    }
    String apiHost = api.getHost() == null ? "" : api.getHost().toLowerCase(Locale.ROOT);
    String host = target.getHost() == null ? "" : target.getHost().toLowerCase(Locale.ROOT);
    return apiHost.startsWith("api.")
        && host.equals("uploads." + apiHost.substring(4))
        && "https".equalsIgnoreCase(api.getScheme())
        && "https".equalsIgnoreCase(target.getScheme())
        && (target.getPort() == -1 || target.getPort() == 443);
  }

  /** A JSON request (GET, POST, PATCH, DELETE); {@code body} null for none. */
  public Answer json(String method, URI uri, JsonNode body) throws ApiException {
    checkTarget(uri);
    byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
    Supplier<HttpRequest.Builder> req =
        () -> {
          HttpRequest.Builder b =
              HttpRequest.newBuilder(uri)
                  .header("Accept", "application/vnd.github+json")
                  .header("X-GitHub-Api-Version", "2022-11-28")
                  .timeout(API_TIMEOUT);
          if (bytes != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
          } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
          }
          return b;
        };
    return send(req, !method.equals("POST"), this::readJson);
  }

  /** Every element of a paginated list ({@code per_page=100}), following {@code Link: next}. */
  public List<JsonNode> list(URI first) throws ApiException {
    List<JsonNode> out = new ArrayList<>();
    URI uri = first;
    for (int page = 0; uri != null; page++) {
      if (page == MAX_PAGES) {
        throw new ApiException(
            "more than " + MAX_PAGES + " pages at " + RegistryClient.shown(first), -1, "", null);
      }
      Answer a = json("GET", uri, null);
      if (a.status() != 200) {
        throw failure("GET " + RegistryClient.shown(uri), a);
      }
      if (!a.json().isArray()) {
        throw new ApiException(
            "GET " + RegistryClient.shown(uri) + " answered no list", a.status(), "", null);
      }
      a.json().forEach(out::add);
      uri = next(uri, a.headers());
    }
    return out;
  }

  private URI next(URI current, HttpHeaders headers) throws ApiException {
    for (String link : headers.allValues("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        URI next;
        try {
          next = current.resolve(m.group(1));
        } catch (IllegalArgumentException e) {
          throw new ApiException("a malformed pagination link", -1, "", e);
        }
        if (!RegistryClient.sameOrigin(next, api)) {
          throw new ApiException(
              "the API's next page is on another host ("
                  + RegistryClient.shown(next)
                  + "); refused",
              -1,
              "",
              null);
        }
        return next;
      }
    }
    return null;
  }

  /**
   * Uploads {@code size} bytes from {@code body} with POST; the answer's JSON is the asset. Not
   * retried: a failed upload may have left an asset that the caller has to look at first.
   */
  public Answer upload(URI uri, String contentType, long size, Supplier<InputStream> body)
      throws ApiException {
    checkTarget(uri);
    Supplier<HttpRequest.Builder> req =
        () ->
            HttpRequest.newBuilder(uri)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Content-Type", contentType)
                .timeout(UPLOAD_TIMEOUT)
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(body), size));
    return send(req, false, this::readJson);
  }

  /** Reads a body into {@code sink}; used to compare an asset's bytes. */
  public interface BodySink {
    void accept(InputStream in) throws IOException;
  }

  /**
   * Downloads an asset's bytes through the API ({@code Accept: application/octet-stream}); GitHub
   * redirects to its storage, which gets no token.
   */
  public void download(URI assetApiUrl, BodySink sink) throws ApiException {
    checkTarget(assetApiUrl);
    Supplier<HttpRequest.Builder> req =
        () ->
            HttpRequest.newBuilder(assetApiUrl)
                .header("Accept", "application/octet-stream")
                .timeout(UPLOAD_TIMEOUT)
                .GET();
    send(
        req,
        true,
        in -> {
          sink.accept(in);
          return null;
        });
  }

  private void checkTarget(URI uri) throws ApiException {
    if (!mayCarryToken(uri)) {
      throw new ApiException(
          RegistryClient.shown(uri)
              + " is on another host than the API "
              + RegistryClient.shown(api)
              + "; the token is not sent there, the request is refused",
          -1,
          "",
          null);
    }
  }

  private interface Reader {
    JsonNode read(InputStream in) throws IOException;
  }

  private JsonNode readJson(InputStream in) throws IOException {
    byte[] bytes = new LimitedInputStream(in, MAX_JSON, "a GitHub API answer").readAllBytes();
    return bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
  }

  /**
   * Sends with rate-limit waits and (when {@code idempotent}) retries of connection errors and 5xx.
   */
  private Answer send(Supplier<HttpRequest.Builder> request, boolean idempotent, Reader reader)
      throws ApiException {
    long wait = backoff.toMillis();
    int waits = 0;
    ApiException last = null;
    for (int attempt = 1; ; attempt++) {
      Answer a;
      try {
        a = exchange(request, reader);
      } catch (ApiException e) {
        if (!idempotent || attempt >= ATTEMPTS || e.status() != -1) {
          throw e;
        }
        last = e;
        pause(Duration.ofMillis(wait), e.getMessage() + "; retrying");
        wait *= 2;
        continue;
      }
      Optional<Duration> limited = rateLimitWait(a);
      if (limited.isPresent()) {
        Duration d = limited.get();
        if (d.compareTo(maxWait) > 0 || ++waits > RATE_LIMIT_WAITS) {
          throw new ApiException(
              "GitHub's rate limit: it asks to wait "
                  + d.toSeconds()
                  + " s (until "
                  + clock.instant().plus(d)
                  + "), more than the "
                  + maxWait.toSeconds()
                  + " s allowed; run again after then",
              a.status(),
              a.excerpt(),
              null);
        }
        pause(
            d,
            "GitHub's rate limit (HTTP "
                + a.status()
                + "): waiting "
                + d.toSeconds()
                + " s, until "
                + clock.instant().plus(d));
        attempt--;
        continue;
      }
      if (a.status() >= 500 && idempotent && attempt < ATTEMPTS) {
        last = failure("HTTP", a);
        pause(
            Duration.ofMillis(wait),
            "GitHub answered HTTP " + a.status() + "; retrying (attempt " + attempt + ")");
        wait *= 2;
        continue;
      }
      if (last != null && a.status() < 300) {
        notices.accept("GitHub answered after " + attempt + " attempts");
      }
      return a;
    }
  }

  private void pause(Duration d, String why) throws ApiException {
    notices.accept(why);
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException("interrupted while waiting for GitHub", -1, "", e);
    }
  }

  /**
   * The wait a rate-limited answer asks for: {@code Retry-After}, else {@code X-RateLimit-Reset}
   * when {@code X-RateLimit-Remaining} is 0, else a minute for a 403/429 that says "rate limit".
   */
  Optional<Duration> rateLimitWait(Answer a) {
    if (a.status() != 403 && a.status() != 429) {
      return Optional.empty();
    }
    Optional<Duration> after =
        RegistryClient.retryAfter(a.headers().firstValue("Retry-After"), clock.instant());
    if (after.isPresent()) {
      return after;
    }
    if (a.headers().firstValue("X-RateLimit-Remaining").map(String::strip).orElse("").equals("0")) {
      Optional<String> reset = a.headers().firstValue("X-RateLimit-Reset");
      if (reset.isPresent()) {
        try {
          Instant at = Instant.ofEpochSecond(Long.parseLong(reset.get().strip()));
          Duration d = Duration.between(clock.instant(), at).plusSeconds(1);
          return Optional.of(d.isNegative() ? Duration.ofSeconds(1) : d);
        } catch (NumberFormatException e) {
          return Optional.of(Duration.ofMinutes(1));
        }
      }
    }
    if (a.status() == 429 || a.excerpt().toLowerCase(Locale.ROOT).contains("rate limit")) {
      return Optional.of(Duration.ofMinutes(1));
    }
    return Optional.empty();
  }

  /** One request and its redirects; the token only to the origins {@link #mayCarryToken} allows. */
  private Answer exchange(Supplier<HttpRequest.Builder> request, Reader reader)
      throws ApiException {
    HttpRequest first = request.get().build();
    URI uri = first.uri();
    List<URI> hops = new ArrayList<>(List.of(uri));
    boolean asGet = false;
    try {
      while (true) {
        HttpRequest.Builder b = request.get().uri(uri);
        if (asGet) {
          b.GET();
        }
        if (token != null && mayCarryToken(uri)) {
          b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> r =
            http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        Optional<String> location = r.headers().firstValue("Location");
        if (REDIRECTS.contains(r.statusCode()) && location.isPresent()) {
          r.body().close();
          URI next;
          try {
            next = RegistryClient.redirectTarget("GitHub", uri, location.get());
          } catch (ImageException e) {
            throw new ApiException(e.getMessage(), -1, "", e);
          }
          if (hops.contains(next) || hops.size() > RegistryClient.MAX_REDIRECTS) {
            throw new ApiException(
                "GitHub redirected " + RegistryClient.shown(first.uri()) + " too often; refused",
                -1,
                "",
                null);
          }
          hops.add(next);
          if (r.statusCode() == 303
              || ((r.statusCode() == 301 || r.statusCode() == 302)
                  && !first.method().equals("GET"))) {
            asGet = true;
          }
          uri = next;
          continue;
        }
        try (WatchedStream body = new WatchedStream(r.body(), SILENCE, null)) {
          int s = r.statusCode();
          try {
            if (s >= 200 && s < 300) {
              return new Answer(s, r.headers(), r.uri(), reader.read(body.body()), "");
            }
            String excerpt =
                new String(body.body().readNBytes(EXCERPT), StandardCharsets.UTF_8).strip();
            JsonNode json;
            try {
              json = JSON.readTree(excerpt);
            } catch (IOException e) {
              json = JSON.nullNode();
            }
            return new Answer(s, r.headers(), r.uri(), json, excerpt);
          } catch (IOException e) {
            String why = body.why();
            throw new ApiException(
                "reading GitHub's answer from "
                    + RegistryClient.shown(uri)
                    + " failed: "
                    + (why != null ? why : e.getMessage()),
                -1,
                "",
                e);
          }
        }
      }
    } catch (ApiException e) {
      throw e;
    } catch (IOException e) {
      throw new ApiException(
          "cannot reach GitHub at "
              + RegistryClient.shown(uri)
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")",
          -1,
          "",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException("interrupted while talking to GitHub", -1, "", e);
    }
  }

  /** An exception for an unexpected answer, with GitHub's message. */
  public static ApiException failure(String what, Answer a) {
    String message =
        a.json() != null && a.json().hasNonNull("message")
            ? a.json().get("message").asText()
            : a.excerpt();
    return new ApiException(
        what + ": HTTP " + a.status() + (message.isEmpty() ? "" : " (" + message + ")"),
        a.status(),
        a.excerpt(),
        null);
  }
}
