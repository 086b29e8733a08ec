package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.image.CredentialSource.Credential;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of the OCI distribution API (the registry HTTP API v2) on {@link HttpClient}.
 *
 * <p>Speaks HTTPS, and plain HTTP only to registries named insecure. Authenticates with the
 * challenge the registry sends: Bearer tokens from the {@code WWW-Authenticate} realm (with the
 * credentials as basic auth to the realm when there are any), or basic auth. Retries connection
 * errors, 429 and 5xx answers with exponential backoff. Credentials and tokens never appear in
 * exceptions.
 */
public final class RegistryClient {

  /** A manifest or index as the registry served it. */
  public record Manifest(String mediaType, byte[] bytes, String digest) {}

  static final String ACCEPT =
      String.join(
          ", ",
          MediaTypes.OCI_INDEX,
          MediaTypes.OCI_MANIFEST,
          MediaTypes.DOCKER_LIST,
          MediaTypes.DOCKER_MANIFEST);

  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final HttpClient http;
  private final CredentialSource credentials;
  private final Set<String> insecure;
  private final int attempts;
  private final Duration backoff;
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();
  private final ObjectMapper json = new ObjectMapper();

  public RegistryClient(
      CredentialSource credentials,
      Set<String> insecureRegistries,
      int attempts,
      Duration backoff) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    this.credentials = credentials;
    this.insecure = Set.copyOf(insecureRegistries);
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
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
    HttpResponse<byte[]> r =
        send(
            registry,
            repo,
            false,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "manifests/" + reference))
                    .header("Accept", ACCEPT)
                    .GET(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    expect(r, 200, "get manifest " + reference + " of " + registry + "/" + repo);
    String digest = Digest.of(r.body()).toString();
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw new ImageException(
          registry + "/" + repo + " served manifest " + digest + " for " + reference);
    }
    String type = r.headers().firstValue("Content-Type").orElse("");
    int semi = type.indexOf(';');
    return Optional.of(
        new Manifest(semi >= 0 ? type.substring(0, semi).trim() : type, r.body(), digest));
  }

  /** The digest {@code reference} points at, empty if none. */
  public Optional<String> headManifest(String registry, String repo, String reference)
      throws ImageException {
    HttpResponse<Void> r =
        send(
            registry,
            repo,
            false,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "manifests/" + reference))
                    .header("Accept", ACCEPT)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 404) {
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
    HttpResponse<Void> r =
        send(
            registry,
            repo,
            false,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "blobs/" + digest))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 404) {
      return false;
    }
    expect(r, 200, "check blob " + digest + " in " + registry + "/" + repo);
    return true;
  }

  /** Downloads a blob to {@code target}, checking its digest. */
  public void getBlob(String registry, String repo, String digest, Path target)
      throws ImageException {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    HttpResponse<Path> r =
        send(
            registry,
            repo,
            false,
            () -> HttpRequest.newBuilder(uri(registry, repo, "blobs/" + digest)).GET(),
            HttpResponse.BodyHandlers.ofFile(part));
    try {
      if (r.statusCode() == 404) {
        throw new ImageException(
            "blob "
                + digest
                + " is missing from "
                + registry
                + "/"
                + repo
                + ": the image is broken");
      }
      expect(r, 200, "download blob " + digest + " of " + registry + "/" + repo);
      String got = Digest.of(part).toString();
      if (!got.equals(digest)) {
        throw new ImageException(
            "blob " + digest + " of " + registry + "/" + repo + " downloaded as " + got);
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
    HttpResponse<Void> r =
        send(
            registry,
            repo,
            true,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, q))
                    .POST(HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 201) {
      return true;
    }
    if (r.statusCode() == 202) {
      // The registry opened an upload session instead; it expires unused.
      return false;
    }
    expect(r, 201, "mount blob " + digest + " into " + registry + "/" + repo);
    return false;
  }

  /** Uploads a blob monolithically (POST for a session, one PUT with the content). */
  public void pushBlob(String registry, String repo, String digest, Path file)
      throws ImageException {
    HttpResponse<Void> start =
        send(
            registry,
            repo,
            true,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    expect(start, 202, "start upload of blob " + digest + " to " + registry + "/" + repo);
    String location =
        start
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new ImageException(registry + " answered an upload without a Location header"));
    URI put =
        base(registry)
            .resolve(
                location
                    + (location.contains("?") ? "&" : "?")
                    + "digest="
                    + URLEncoder.encode(digest, StandardCharsets.UTF_8));
    HttpResponse<byte[]> r =
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
            HttpResponse.BodyHandlers.ofByteArray());
    expect(r, 201, "upload blob " + digest + " to " + registry + "/" + repo);
  }

  /** Puts a manifest or index under {@code reference} (digest or tag). */
  public void putManifest(
      String registry, String repo, String reference, String mediaType, byte[] body)
      throws ImageException {
    HttpResponse<byte[]> r =
        send(
            registry,
            repo,
            true,
            () ->
                HttpRequest.newBuilder(uri(registry, repo, "manifests/" + reference))
                    .header("Content-Type", mediaType)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
            HttpResponse.BodyHandlers.ofByteArray());
    expect(r, 201, "put manifest " + reference + " to " + registry + "/" + repo);
  }

  private <T> HttpResponse<T> send(
      String registry,
      String repo,
      boolean push,
      Supplier<HttpRequest.Builder> request,
      HttpResponse.BodyHandler<T> handler)
      throws ImageException {
    String scopeKey = registry + " " + repo + (push ? " push" : " pull");
    HttpResponse<T> r = sendWithRetries(registry, request, authorizations.get(scopeKey), handler);
    if (r.statusCode() != 401) {
      return r;
    }
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
    String authorization = authorize(registry, repo, push, challenge);
    authorizations.put(scopeKey, authorization);
    r = sendWithRetries(registry, request, authorization, handler);
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw refused(registry, repo, r.statusCode());
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
    HttpResponse<byte[]> r =
        sendWithRetries(
            registry,
            () -> HttpRequest.newBuilder(tokenUri).GET(),
            auth,
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw refused(registry, repo, r.statusCode());
    }
    expect(r, 200, "get a token from " + tokenUri.getHost());
    try {
      JsonNode body = json.readTree(r.body());
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

  private <T> HttpResponse<T> sendWithRetries(
      String registry,
      Supplier<HttpRequest.Builder> request,
      String authorization,
      HttpResponse.BodyHandler<T> handler)
      throws ImageException {
    long wait = backoff.toMillis();
    IOException last = null;
    HttpResponse<T> response = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      HttpRequest.Builder b = request.get().timeout(Duration.ofMinutes(10));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      try {
        response = http.send(b.build(), handler);
        int s = response.statusCode();
        if (s != 429 && s < 500) {
          return response;
        }
        last = null;
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageException("interrupted while talking to " + registry);
      }
      if (attempt < attempts) {
        try {
          Thread.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ImageException("interrupted while talking to " + registry);
        }
        wait *= 2;
      }
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
    return response;
  }

  private static void expect(HttpResponse<?> r, int status, String what) throws ImageException {
    int s = r.statusCode();
    if (s == status) {
      return;
    }
    String body = "";
    if (r.body() instanceof byte[] bytes) {
      body = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8).strip();
    }
    throw new ImageException("cannot " + what + ": HTTP " + s + (body.isEmpty() ? "" : " " + body));
  }
}
