package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.model.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuild that reads the original from and pushes to a registry with basic auth, the only
 * credentials coming from a Docker credential helper named by {@code credsStore}.
 */
class CredentialHelperRegistryTest {
  static final String USER = "rebuilder";
  static final String PASSWORD = "helper-horse-battery";

  @RegisterExtension
  static final TestRegistry REGISTRY = TestRegistry.withBasicAuth(USER, PASSWORD);

  @TempDir Path tmp;

  @Test
  void pullsAndPushesWithCredentialsFromAHelper() throws Exception {
    Fixture fixture = Fixture.get();
    Crane crane = Crane.withCredentials(REGISTRY.host(), USER, PASSWORD);
    Path layout = fixture.writeOriginal(tmp.resolve("layout"), "v1.0.0", List.of("hello", "world"));
    crane.pushLayoutRef(layout, "v1.0.0", REGISTRY.host() + "/example/app:v1.0.0");

    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path helper = bin.resolve("docker-credential-testvault");
    Files.writeString(
        helper,
        "#!/bin/sh\n"
            + "[ \"$(cat)\" = \""
            + REGISTRY.host()
            + "\" ] || { echo 'credentials not found in native keychain'; exit 1; }\n"
            + "echo '{\"ServerURL\":\""
            + REGISTRY.host()
            + "\",\"Username\":\""
            + USER
            + "\",\"Secret\":\""
            + PASSWORD
            + "\"}'\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path config = tmp.resolve("config.json");
    Files.writeString(config, "{\"credsStore\":\"testvault\",\"auths\":{}}");
    CredentialSource credentials =
        new DockerConfigCredentials(config, Map.of("PATH", bin + ":/usr/bin:/bin"));

    ImageContext ctx =
        new ImageContext(
            "1.0.0",
            "0123456789abcdef0123456789abcdef01234567",
            Instant.parse("2024-05-01T12:00:00Z"),
            fixture.newGoVersion,
            Set.of(REGISTRY.host()),
            Set.of(),
            false,
            tmp.resolve("out"),
            credentials);
    ImageResult r =
        new ImageRebuilder(new GoBuildInfoIdentifier(), ImageListener.NONE)
            .rebuild(
                ImageSpec.replace(
                    REGISTRY.host() + "/example/app:v1.0.0",
                    REGISTRY.host() + "/example/app",
                    List.of("v1.0.0-rebuild")),
                fixture.rebuilt,
                ctx);
    assertTrue(r.pushedAnything());
    String raw = crane.ok("manifest", REGISTRY.host() + "/example/app:v1.0.0-rebuild");
    assertEquals(r.digest(), Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString());
  }
}
