package dev.rebuild.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 that answers as a hostile or broken one would: bodies without
 * end, bytes trickled slowly, silence after a first piece. Unrouted paths answer 404.
 */
public final class HostileHttpServer implements AutoCloseable {

  private interface Answer {
    void send(HttpExchange ex, OutputStream out) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, Answer> routes = new ConcurrentHashMap<>();
  private volatile boolean open = true;

  public HostileHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  public URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:"
            + server.getAddress().getPort()
            + (path.startsWith("/") ? "" : "/")
            + path);
  }

  /** Answers {@code body} whole. */
  public HostileHttpServer serve(String path, byte[] body) {
    routes.put(
        path,
        (ex, out) -> {
          ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
          out.write(body);
        });
    return this;
  }

  /** Sends {@code fill} bytes as fast as the client takes them, without end or length. */
  public HostileHttpServer endless(String path, byte fill) {
    routes.put(
        path,
        (ex, out) -> {
          ex.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[1 << 16];
          Arrays.fill(chunk, fill);
          while (open) {
            out.write(chunk);
          }
        });
    return this;
  }

  /** Sends one {@code fill} byte every {@code intervalMillis}, without end or length. */
  public HostileHttpServer trickle(String path, byte fill, long intervalMillis) {
    routes.put(
        path,
        (ex, out) -> {
          ex.sendResponseHeaders(200, 0);
          while (open) {
            out.write(fill);
            out.flush();
            Thread.sleep(intervalMillis);
          }
        });
    return this;
  }

  /** Announces {@code body}'s length, sends its first half, then keeps silent. */
  public HostileHttpServer stall(String path, byte[] body) {
    routes.put(
        path,
        (ex, out) -> {
          ex.sendResponseHeaders(200, body.length);
          out.write(body, 0, body.length / 2);
          out.flush();
          while (open) {
            Thread.sleep(50);
          }
        });
    return this;
  }

  private void handle(HttpExchange ex) throws IOException {
    Answer a = routes.get(ex.getRequestURI().getRawPath());
    try (ex) {
      if (a == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      a.send(ex, ex.getResponseBody());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client hung up: what a client that refuses an answer does.
    }
  }

  @Override
  public void close() {
    open = false;
    server.stop(0);
    pool.shutdownNow();
  }
}
