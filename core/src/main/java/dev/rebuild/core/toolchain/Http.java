package dev.rebuild.core.toolchain;

import dev.rebuild.core.io.WatchedStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/** HTTP GETs for release lists, archives and checksum database look-ups. */
final class Http {

  /** The source could not be reached or does not have the file: another source may. */
  static final class Unavailable extends IOException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An answer's body and its announced length (-1 when not announced). */
  private record Body(InputStream stream, long length) {}

  /** A file saved to disk with its sha256 and size. */
  record Saved(Path file, String sha256, long size) {}

  private static final long PROGRESS_STEP = 1 << 20;

  /**
   * How many {@code timeout}s a small text may take to arrive whole (8 minutes with the default
   * timeout of 2): a server trickling a byte now and then, never quite stalling, must not hold a
   * build forever. Downloads have no such bound: a slow link may take long for 250 MB.
   */
  static final int TEXT_DEADLINE_TIMEOUTS = 4;

  private final HttpClient client;
  private final Duration timeout;

  /**
   * @param timeout how long to wait for a server's answer, and at most between two pieces of an
   *     answer before it counts as stalled
   */
  Http(Duration timeout) {
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    this.timeout = timeout;
  }

  /**
   * The most a small text may hold: go.dev's full release list is a few MiB, a checksum database
   * tile or a proxy's version list far less; a server sending more is not one of those.
   */
  static final int MAX_TEXT = 32 << 20;

  /** A small text, such as a release list or a checksum database answer. */
  byte[] get(URI uri) throws IOException {
    Body response = open(uri);
    WatchedStream watch =
        new WatchedStream(response.stream(), timeout, timeout.multipliedBy(TEXT_DEADLINE_TIMEOUTS));
    try (watch;
        InputStream in = watch.body()) {
      byte[] body = in.readNBytes(MAX_TEXT + 1);
      if (watch.why() != null) {
        throw new IOException(watch.why());
      }
      if (body.length > MAX_TEXT) {
        throw new IOException(
            uri + " sent more than " + (MAX_TEXT >> 20) + " MiB; that is not what was asked for");
      }
      return body;
    } catch (IOException e) {
      String why = watch.why() != null ? watch.why() : describe(e);
      throw new IOException("reading " + uri + " failed: " + why, e);
    }
  }

  /**
   * Saves {@code uri} to {@code target}, hashing it on the way.
   *
   * @throws Unavailable when the server cannot be reached or answers with an error status
   * @throws IOException when the transfer breaks off; what arrived is deleted
   */
  Saved download(URI uri, Path target, ToolchainListener listener) throws IOException {
    Body response = open(uri);
    long total = response.length();
    MessageDigest sha = dev.rebuild.core.model.Digest.sha256();
    long bytes = 0;
    listener.downloading(uri, 0, total);
    WatchedStream watch = new WatchedStream(response.stream(), timeout, null);
    try (InputStream in = watch.body();
        OutputStream out =
            Files.newOutputStream(
                target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buf = new byte[1 << 16];
      long next = PROGRESS_STEP;
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        sha.update(buf, 0, n);
        bytes += n;
        if (bytes >= next) {
          listener.downloading(uri, bytes, total);
          next = bytes + PROGRESS_STEP;
        }
      }
    } catch (IOException e) {
      Files.deleteIfExists(target);
      throw new IOException(
          "the download of "
              + uri
              + " broke off after "
              + bytes
              + (total >= 0 ? " of " + total : "")
              + " bytes ("
              + (watch.why() != null ? watch.why() : describe(e))
              + "); nothing was kept, run again to retry",
          e);
    } finally {
      watch.close();
    }
    if (watch.why() != null || (total >= 0 && bytes != total)) {
      Files.deleteIfExists(target);
      throw new IOException(
          "the download of "
              + uri
              + " broke off after "
              + bytes
              + (total >= 0 ? " of " + total : "")
              + " bytes"
              + (watch.why() != null ? " (" + watch.why() + ")" : "")
              + "; nothing was kept, run again to retry");
    }
    listener.downloading(uri, bytes, total);
    return new Saved(target, HexFormat.of().formatHex(sha.digest()), bytes);
  }

  private Body open(URI uri) throws IOException {
    if ("file".equals(uri.getScheme())) {
      // GOPROXY and the release list may name a local mirror.
      Path file;
      try {
        file = Path.of(uri);
      } catch (IllegalArgumentException e) {
        throw new Unavailable(uri + " is not a usable file URL", e);
      }
      if (!Files.isRegularFile(file)) {
        throw new Unavailable(uri + " does not exist", null);
      }
      return new Body(Files.newInputStream(file), Files.size(file));
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new Unavailable(uri + " is neither an http(s) nor a file URL", null);
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri).GET().timeout(timeout).header("User-Agent", "rebuild").build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + uri, e);
    } catch (ConnectException | HttpTimeoutException e) {
      throw new Unavailable(uri + " cannot be reached (" + describe(e) + ")", e);
    } catch (IOException e) {
      throw new Unavailable(uri + " cannot be reached (" + describe(e) + ")", e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new Unavailable(uri + " answered HTTP " + response.statusCode(), null);
    }
    return new Body(
        response.body(), response.headers().firstValueAsLong("content-length").orElse(-1));
  }

  static String describe(Throwable e) {
    String m = Optional.ofNullable(e.getMessage()).orElse("");
    Throwable c = e.getCause();
    if (m.isBlank() && c != null) {
      return describe(c);
    }
    return e.getClass().getSimpleName() + (m.isBlank() ? "" : ": " + m);
  }
}
