package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.fail;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real registry (distribution's {@code registry}, pinned and built by {@link TestTools#tool}) on
 * 127.0.0.1, with filesystem storage in a temporary directory; optionally with htpasswd (bcrypt)
 * basic auth or Bearer tokens.
 */
public final class TestRegistry implements BeforeAllCallback, AfterAllCallback {
  private Path binary;

  private final String user;
  private final String password;
  private TokenServer token;
  private Path dir;
  private Path config;
  private int port;
  private Process process;

  private TestRegistry(String user, String password) {
    this.user = user;
    this.password = password;
  }

  public static TestRegistry open() {
    return new TestRegistry(null, null);
  }

  static TestRegistry withBasicAuth(String user, String password) {
    return new TestRegistry(user, password);
  }

  /** Bearer tokens from a {@link TokenServer} that accepts {@code user}/{@code password}. */
  static TestRegistry withTokenAuth(String user, String password) {
    TestRegistry r = new TestRegistry(null, null);
    r.token = new TokenServer(user, password);
    return r;
  }

  public String host() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    binary = TestTools.tool("registry");
    dir = Files.createTempDirectory("registry");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StringBuilder yml =
        new StringBuilder()
            .append("version: 0.1\n")
            .append("log:\n  level: warn\n")
            .append("storage:\n  filesystem:\n    rootdirectory: ")
            .append(dir.resolve("data"))
            .append("\n  delete:\n    enabled: true\n")
            .append("http:\n  addr: 127.0.0.1:")
            .append(port)
            .append("\n");
    if (user != null) {
      String hash = BCrypt.withDefaults().hashToString(4, password.toCharArray());
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, user + ":" + hash + "\n", StandardCharsets.UTF_8);
      yml.append("auth:\n  htpasswd:\n    realm: rebuild-test\n    path: ")
          .append(htpasswd)
          .append("\n");
    }
    if (token != null) {
      token.start(dir);
      yml.append("auth:\n  token:\n    realm: ")
          .append(token.realm())
          .append("\n    service: ")
          .append(TokenServer.SERVICE)
          .append("\n    issuer: ")
          .append(TokenServer.ISSUER)
          .append("\n    rootcertbundle: ")
          .append(token.certPem)
          .append("\n");
    }
    config = dir.resolve("config.yml");
    Files.writeString(config, yml.toString());
    start();
  }

  void start() throws Exception {
    process =
        new ProcessBuilder(binary.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile()))
            .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        fail("the registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      try {
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    fail("the registry did not listen on " + host() + " within 30 s");
  }

  /** Stops the registry process (it is started with this object: its pid is ours). */
  void stop() {
    if (process != null) {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    stop();
    if (token != null) {
      token.stop();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
