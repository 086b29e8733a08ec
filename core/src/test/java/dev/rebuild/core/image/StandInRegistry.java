package dev.rebuild.core.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A registry (or blob storage) stand-in on 127.0.0.1 for the answers a real registry does not give
 * on demand: redirects, 429s, oversized or stalling bodies. Each path answers as the test says;
 * every request is recorded with the Authorization header it carried.
 */
final class StandInRegistry implements AutoCloseable {

  /** A request as it arrived. */
  record Seen(String method, String path, Optional<String> authorization) {}

  /** How a path answers. */
  @FunctionalInterface
  interface Answer {
    void answer(HttpExchange ex) throws IOException;
  }

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Answer> routes = new ConcurrentHashMap<>();
  private volatile String basic;

  StandInRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** {@code host:port}, the registry name the client is given. */
  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  String url(String path) {
    return "http://" + host() + path;
  }

  /** Paths under /v2/ then need these basic credentials, as a registry with htpasswd does. */
  StandInRegistry requireBasic(String user, String password) {
    basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return this;
  }

  StandInRegistry on(String path, Answer answer) {
    routes.put(path, answer);
    return this;
  }

  List<Seen> seen(String path) {
    return seen.stream().filter(s -> s.path().equals(path)).toList();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    Optional<String> auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization"));
    seen.add(new Seen(ex.getRequestMethod(), path, auth));
    try (ex) {
      if (basic != null && path.startsWith("/v2/") && !auth.equals(Optional.of(basic))) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"stand-in\"");
        ex.sendResponseHeaders(401, -1);
        return;
      }
      Answer a = routes.get(path);
      if (a == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      a.answer(ex);
    } catch (IOException e) {
      // the client hung up, which several tests provoke
    }
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().add("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  static void redirect(HttpExchange ex, int status, String location) throws IOException {
    ex.getResponseHeaders().add("Location", location);
    ex.sendResponseHeaders(status, -1);
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
