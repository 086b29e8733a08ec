package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.image.CredentialSource.Credential;
import dev.rebuild.core.model.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks against a registry that wants credentials: from a Docker config, refused, missing, and
 * retries across a restart. Run for basic auth and for Bearer tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RegistryAuthChecks {
  static final String USER = "rebuilder";
  static final String PASSWORD = "correct-horse-battery";
  static final String WRONG = "wrong-password-4711";

  abstract TestRegistry registry();

  /** crane with the right credentials for {@link #registry()}. */
  Crane crane() {
    return Crane.withCredentials(registry().host(), USER, PASSWORD);
  }

  Fixture fixture;
  @TempDir Path tmp;

  @BeforeAll
  void original(@TempDir Path dir) throws Exception {
    fixture = Fixture.get();
    Path layout = fixture.writeOriginal(dir.resolve("layout"), "v1.0.0", List.of("hello", "world"));
    crane().pushLayoutRef(layout, "v1.0.0", registry().host() + "/example/app:v1.0.0");
  }

  ImageContext context(CredentialSource credentials) {
    return new ImageContext(
        "1.0.0",
        "0123456789abcdef0123456789abcdef01234567",
        Instant.parse("2024-05-01T12:00:00Z"),
        fixture.newGoVersion,
        Set.of(registry().host()),
        Set.of(),
        false,
        tmp.resolve("out"),
        credentials);
  }

  ImageSpec spec(String tag) {
    return ImageSpec.replace(
        registry().host() + "/example/app:v1.0.0",
        registry().host() + "/example/app",
        List.of(tag));
  }

  @Test
  void pushesWithCredentialsFromDockerConfig() throws Exception {
    Path config = tmp.resolve("config.json");
    String auth =
        Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        config, "{\"auths\":{\"" + registry().host() + "\":{\"auth\":\"" + auth + "\"}}}");
    List<String> messages = new ArrayList<>();
    ImageListener listener =
        new ImageListener() {
          @Override
          public void progress(String message) {
            messages.add(message);
          }
        };
    ImageResult r =
        new ImageRebuilder(new GoBuildInfoIdentifier(), listener)
            .rebuild(
                spec("v1.0.0-rebuild"),
                fixture.rebuilt,
                context(new DockerConfigCredentials(config)));
    assertTrue(r.pushedAnything());
    String raw = crane().ok("manifest", registry().host() + "/example/app:v1.0.0-rebuild");
    assertEquals(r.digest(), Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString());
    assertFalse(String.join("\n", messages).contains(PASSWORD), "no password in progress");
  }

  @Test
  void wrongCredentialsAreRefusedWithoutShowingThem() {
    CredentialSource wrong = registry -> Optional.of(new Credential(USER, WRONG));
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                new ImageRebuilder(new GoBuildInfoIdentifier(), ImageListener.NONE)
                    .rebuild(spec("wrong"), fixture.rebuilt, context(wrong)));
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
    assertTrue(e.getMessage().contains("were not accepted"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(WRONG), "password in " + t);
    }
  }

  @Test
  void missingCredentialsNameTheFix() {
    ImageException e =
        assertThrows(
            ImageException.class,
            () ->
                new ImageRebuilder(new GoBuildInfoIdentifier(), ImageListener.NONE)
                    .rebuild(spec("none"), fixture.rebuilt, context(CredentialSource.NONE)));
    assertTrue(e.getMessage().contains("no credentials for " + registry().host()), e.getMessage());
    assertTrue(e.getMessage().contains("settings.xml"), e.getMessage());
  }

  @Test
  void retriesRideOutARegistryRestart() throws Exception {
    RegistryClientFactory patient = (c, i) -> new RegistryClient(c, i, 8, Duration.ofMillis(250));
    CredentialSource right = registry -> Optional.of(new Credential(USER, PASSWORD));
    registry().stop();
    Thread restart =
        new Thread(
            () -> {
              try {
                Thread.sleep(1500);
                registry().start();
              } catch (Exception ex) {
                throw new IllegalStateException(ex);
              }
            });
    restart.start();
    try {
      ImageResult r =
          new ImageRebuilder(patient, new GoBuildInfoIdentifier(), ImageListener.NONE)
              .rebuild(spec("after-restart"), fixture.rebuilt, context(right));
      assertTrue(r.pushedAnything());
    } finally {
      restart.join();
    }
  }
}
