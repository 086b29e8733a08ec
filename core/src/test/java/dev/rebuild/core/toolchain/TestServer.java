package dev.rebuild.core.toolchain;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on 127.0.0.1 serving fixed files, counting requests per path. */
final class TestServer implements AutoCloseable {

  /** How a path is answered. */
  record Route(byte[] body, boolean truncate, long delayMillis, long stallMillis) {}

  private final HttpServer server;
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  TestServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  URI uri(String path) {
    return base().resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  TestServer serve(String path, byte[] body) {
    routes.put(path, new Route(body, false, 0, 0));
    return this;
  }

  /** Announces the whole length, sends half, and closes the connection. */
  TestServer truncate(String path, byte[] body) {
    routes.put(path, new Route(body, true, 0, 0));
    return this;
  }

  /** Waits before answering, so that concurrent clients overlap. */
  TestServer serveSlowly(String path, byte[] body, long delayMillis) {
    routes.put(path, new Route(body, false, delayMillis, 0));
    return this;
  }

  /** Sends half, then keeps the connection open and silent for {@code stallMillis}. */
  TestServer stall(String path, byte[] body, long stallMillis) {
    routes.put(path, new Route(body, false, 0, stallMillis));
    return this;
  }

  TestServer unserve(String path) {
    routes.remove(path);
    return this;
  }

  int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String query = ex.getRequestURI().getRawQuery();
    String key = query == null ? path : path + "?" + query;
    Route r = routes.get(key);
    if (r == null) {
      r = routes.get(path);
    }
    hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    if (r == null) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    if (r.delayMillis() > 0) {
      try {
        Thread.sleep(r.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ex.sendResponseHeaders(200, r.body().length);
    OutputStream out = ex.getResponseBody();
    if (r.stallMillis() > 0) {
      out.write(r.body(), 0, r.body().length / 2);
      out.flush();
      try {
        Thread.sleep(r.stallMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
      return;
    }
    if (r.truncate()) {
      out.write(r.body(), 0, r.body().length / 2);
      out.flush();
      // Closing the exchange short of the announced length drops the connection.
      ex.close();
      return;
    }
    out.write(r.body());
    out.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
