package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.image.CredentialSource.Credential;
import dev.rebuild.core.image.StandInRegistry.Seen;
import dev.rebuild.core.model.Digest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redirects and Retry-After as registries in front of S3 or a CDN send them: credentials go to the
 * registry only, a redirect chain is bounded, and a 429 is waited out as the registry asks.
 */
class RegistryRedirectTest {
  static final String USER = "ci";
  static final String PASSWORD = "s3cret-password";
  static final String BASIC =
      "Basic "
          + java.util.Base64.getEncoder()
              .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  static final byte[] BLOB = "the layer's bytes".getBytes(StandardCharsets.UTF_8);
  static final String DIGEST = Digest.of(BLOB).toString();
  static final String BLOB_PATH = "/v2/app/blobs/" + DIGEST;

  @TempDir Path tmp;
  StandInRegistry registry;
  StandInRegistry storage;
  final List<String> notices = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    registry = new StandInRegistry().requireBasic(USER, PASSWORD);
    storage = new StandInRegistry();
  }

  @AfterEach
  void stop() {
    registry.close();
    storage.close();
  }

  RegistryClient client() {
    CredentialSource creds =
        r ->
            r.equals(registry.host())
                ? Optional.of(new Credential(USER, PASSWORD))
                : Optional.empty();
    return new RegistryClient(
        creds,
        Set.of(registry.host()),
        4,
        Duration.ofMillis(10),
        Duration.ofSeconds(10),
        notices::add);
  }

  @Test
  void aBlobRedirectedToAnotherHostIsFetchedWithoutTheCredentials() throws Exception {
    registry.on(
        BLOB_PATH,
        ex ->
            StandInRegistry.redirect(
                ex, 307, storage.url("/bucket/" + DIGEST.substring(7) + "?X-Amz-Signature=abc")));
    storage.on(
        "/bucket/" + DIGEST.substring(7),
        ex -> {
          // S3 answers 400 to a request with a second authentication mechanism.
          if (ex.getRequestHeaders().containsKey("Authorization")) {
            StandInRegistry.send(ex, 400, "text/plain", "two auth mechanisms".getBytes());
          } else {
            StandInRegistry.send(ex, 200, "application/octet-stream", BLOB);
          }
        });
    Path target = tmp.resolve("blob");

    client().getBlob(registry.host(), "app", DIGEST, BLOB.length, target);

    assertArrayEquals(BLOB, Files.readAllBytes(target));
    List<Seen> atStorage = storage.seen("/bucket/" + DIGEST.substring(7));
    assertEquals(1, atStorage.size());
    assertEquals(Optional.empty(), atStorage.get(0).authorization());
    assertTrue(
        registry.seen(BLOB_PATH).stream()
            .anyMatch(s -> s.authorization().equals(Optional.of(BASIC))),
        "the registry itself got the credentials");
  }

  @Test
  void aRedirectWithinTheRegistryKeepsTheCredentials() throws Exception {
    // Relative, as registries that move blobs to another path on the same host send it.
    registry.on(BLOB_PATH, ex -> StandInRegistry.redirect(ex, 302, "/v2/app/storage/1"));
    registry.on(
        "/v2/app/storage/1", ex -> StandInRegistry.send(ex, 200, "application/octet-stream", BLOB));
    Path target = tmp.resolve("blob");

    client().getBlob(registry.host(), "app", DIGEST, BLOB.length, target);

    assertArrayEquals(BLOB, Files.readAllBytes(target));
    assertTrue(
        registry.seen("/v2/app/storage/1").stream()
            .allMatch(s -> s.authorization().equals(Optional.of(BASIC))));
  }

  @Test
  void aRedirectLoopIsRefusedNamingTheHops() {
    registry.on(BLOB_PATH, ex -> StandInRegistry.redirect(ex, 307, "/v2/app/a"));
    registry.on("/v2/app/a", ex -> StandInRegistry.redirect(ex, 307, "/v2/app/b"));
    registry.on("/v2/app/b", ex -> StandInRegistry.redirect(ex, 307, "/v2/app/a"));
    ImageException e =
        assertThrows(
            ImageException.class,
            () -> client().getBlob(registry.host(), "app", DIGEST, BLOB.length, tmp.resolve("b")));
    String base = "http://" + registry.host();
    assertEquals(
        "registry "
            + registry.host()
            + " redirected in a loop: "
            + base
            + BLOB_PATH
            + " -> "
            + base
            + "/v2/app/a -> "
            + base
            + "/v2/app/b -> "
            + base
            + "/v2/app/a; refused",
        e.getMessage());
  }

  @Test
  void aLongRedirectChainIsRefused() {
    registry.on(BLOB_PATH, ex -> StandInRegistry.redirect(ex, 307, "/v2/app/hop/1"));
    for (int i = 1; i <= 10; i++) {
      String next = "/v2/app/hop/" + (i + 1) + "?X-Amz-Signature=secret";
      registry.on("/v2/app/hop/" + i, ex -> StandInRegistry.redirect(ex, 307, next));
    }
    ImageException e =
        assertThrows(
            ImageException.class,
            () -> client().getBlob(registry.host(), "app", DIGEST, BLOB.length, tmp.resolve("b")));
    assertTrue(e.getMessage().contains("redirected more than 5 times: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("/v2/app/hop/6; refused"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), "presigned URLs are shown without the query");
    assertTrue(registry.seen("/v2/app/hop/6").isEmpty(), "the sixth redirect is not followed");
  }

  @Test
  void a429IsRetriedAfterTheTimeTheRegistryAsks() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    registry.on(
        BLOB_PATH,
        ex -> {
          if (calls.incrementAndGet() == 1) {
            ex.getResponseHeaders().add("Retry-After", "1");
            StandInRegistry.send(ex, 429, "text/plain", "slow down".getBytes());
          } else {
            StandInRegistry.send(ex, 200, "application/octet-stream", BLOB);
          }
        });
    Path target = tmp.resolve("blob");
    long start = System.nanoTime();

    client().getBlob(registry.host(), "app", DIGEST, BLOB.length, target);

    long millis = (System.nanoTime() - start) / 1_000_000;
    assertArrayEquals(BLOB, Files.readAllBytes(target));
    assertEquals(2, calls.get());
    assertTrue(millis >= 950, "waited " + millis + " ms, the registry asked 1 s");
    assertEquals(
        List.of(
            "registry "
                + registry.host()
                + " answered HTTP 429 asking to retry after 1 s; waiting 1 s (attempt 1 of 4)"),
        notices);
  }

  @Test
  void aRedirectFromHttpsToHttpIsRefused() throws Exception {
    URI from = URI.create("https://registry.example/v2/app/blobs/" + DIGEST);
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                RegistryClient.redirectTarget(
                    "registry.example", from, "http://cdn.example/blob?sig=secret"));
    assertEquals(
        "registry registry.example redirected https://registry.example/v2/app/blobs/"
            + DIGEST
            + " to plain HTTP (http://cdn.example/blob); a redirect from HTTPS to HTTP is refused",
        e.getMessage());
    assertEquals(
        URI.create("https://cdn.example/blob?sig=1"),
        RegistryClient.redirectTarget("registry.example", from, "https://cdn.example/blob?sig=1"));
    assertEquals(
        URI.create("https://registry.example/storage/x"),
        RegistryClient.redirectTarget("registry.example", from, "/storage/x"));
    assertThrows(
        ImageException.class,
        () -> RegistryClient.redirectTarget("registry.example", from, "file:///etc/passwd"));
  }

  @Test
  void credentialsGoOnlyToTheSameSchemeHostAndPort() {
    URI origin = URI.create("https://registry.example");
    assertTrue(RegistryClient.sameOrigin(URI.create("https://REGISTRY.example:443/v2/"), origin));
    assertFalse(RegistryClient.sameOrigin(URI.create("http://registry.example/v2/"), origin));
    assertFalse(RegistryClient.sameOrigin(URI.create("https://registry.example:5000/v2/"), origin));
    assertFalse(RegistryClient.sameOrigin(URI.create("https://s3.example/v2/"), origin));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsADate() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertEquals(
        Optional.of(Duration.ofSeconds(7)), RegistryClient.retryAfter(Optional.of("7"), now));
    assertEquals(
        Optional.of(Duration.ofSeconds(30)),
        RegistryClient.retryAfter(Optional.of("Thu, 01 Jan 2026 00:00:30 GMT"), now));
    assertEquals(
        Optional.of(Duration.ZERO),
        RegistryClient.retryAfter(Optional.of("Wed, 31 Dec 2025 23:00:00 GMT"), now));
    assertEquals(Optional.empty(), RegistryClient.retryAfter(Optional.of("soon"), now));
    assertEquals(Optional.empty(), RegistryClient.retryAfter(Optional.empty(), now));
  }
}
