package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a Docker {@code config.json}: {@code auths.<host>.auth} (base64 of {@code
 * user:password}) or {@code auths.<host>.username}/{@code password}.
 *
 * <p>Credential helpers ({@code credsStore}, {@code credHelpers}) are not run: they are programs of
 * the user's desktop, and a build should get its secrets from settings.xml instead.
 */
public final class DockerConfigCredentials implements CredentialSource {

  private final Path file;

  public DockerConfigCredentials(Path file) {
    this.file = file;
  }

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static DockerConfigCredentials fromEnvironment() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path base =
        dir != null && !dir.isBlank()
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".docker");
    return new DockerConfigCredentials(base.resolve("config.json"));
  }

  /**
   * @throws IllegalStateException naming the file when it exists but cannot be read or parsed
   *     (never its content)
   */
  @Override
  public Optional<Credential> forRegistry(String registry) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the Docker config " + file + ": it is not valid JSON; fix or remove it");
    }
    JsonNode auths = root == null ? null : root.get("auths");
    if (auths == null || !auths.isObject()) {
      return Optional.empty();
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (hostOf(e.getKey()).equals(hostOf(registry))) {
        return parse(e.getValue(), e.getKey());
      }
    }
    return Optional.empty();
  }

  private Optional<Credential> parse(JsonNode entry, String key) {
    JsonNode auth = entry.get("auth");
    if (auth != null && auth.isTextual() && !auth.asText().isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "the 'auth' entry for " + key + " in " + file + " is not base64 of user:password");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new IllegalStateException(
            "the 'auth' entry for " + key + " in " + file + " is not base64 of user:password");
      }
      return Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }
    JsonNode user = entry.get("username");
    JsonNode pass = entry.get("password");
    if (user != null && pass != null) {
      return Optional.of(new Credential(user.asText(), pass.asText()));
    }
    return Optional.empty();
  }

  /** Keys may be {@code https://host/v1/} (old docker login) or plain {@code host}. */
  static String hostOf(String key) {
    String k = key.replaceFirst("^[a-zA-Z]+://", "");
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    if (k.equals("index.docker.io") || k.equals("registry-1.docker.io")) {
      return "docker.io";
    }
    return k.toLowerCase(Locale.ROOT);
  }
}
