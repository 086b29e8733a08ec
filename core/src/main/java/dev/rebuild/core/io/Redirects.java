package dev.rebuild.core.io;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The rules every client that follows redirects itself applies: a credential goes only to the
 * scheme, host and port it was given for, a redirect never leads from HTTPS down to HTTP or out of
 * HTTP(S), and a URL is shown without its query (presigned storage URLs carry credentials there).
 */
public final class Redirects {

  /** A redirect that is refused; its message says why, without credentials. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** How many redirects one request may follow. */
  public static final int MAX_HOPS = 5;

  private Redirects() {}

  /**
   * Where a redirect from {@code from} leads.
   *
   * @throws Refused for a malformed location, a scheme other than HTTP(S), or HTTPS to HTTP; the
   *     message starts with {@code "redirected <from> to"}
   */
  public static URI target(URI from, String location) throws Refused {
    URI next;
    try {
      next = from.resolve(location.strip());
    } catch (IllegalArgumentException e) {
      throw new Refused("redirected " + shown(from) + " to a malformed location");
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || next.getHost() == null) {
      throw new Refused(
          "redirected " + shown(from) + " to a location that is no HTTP(S) URL; refused");
    }
    if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
      throw new Refused(
          "redirected "
              + shown(from)
              + " to plain HTTP ("
              + shown(next)
              + "); a redirect from HTTPS to HTTP is refused");
    }
    return next;
  }

  /** Whether a credential meant for {@code origin} may be sent to {@code target}. */
  public static boolean sameOrigin(URI target, URI origin) {
    return target.getScheme().equalsIgnoreCase(origin.getScheme())
        && target.getHost() != null
        && target.getHost().equalsIgnoreCase(origin.getHost())
        && port(target) == port(origin);
  }

  private static int port(URI u) {
    if (u.getPort() != -1) {
      return u.getPort();
    }
    return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  /** A URL without its user information and query. */
  public static String shown(URI u) {
    return u.getScheme()
        + "://"
        + u.getHost()
        + (u.getPort() == -1 ? "" : ":" + u.getPort())
        + (u.getRawPath() == null ? "" : u.getRawPath());
  }

  /** The wait a {@code Retry-After} header asks for: delta-seconds or an HTTP date. */
  public static Optional<Duration> retryAfter(Optional<String> header, Instant now) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String v = header.get().strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      // not delta-seconds; an HTTP date then
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
