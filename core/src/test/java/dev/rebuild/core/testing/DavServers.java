package dev.rebuild.core.testing;

import dev.rebuild.core.testing.DavServer.Option;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link DavServer}s of one test: each serves {@code dir/served} with one user and logs to
 * {@code dir/requests.log}, so a server started again on the same port continues the same store and
 * the same log. {@link #close()} stops them all.
 */
public final class DavServers implements AutoCloseable {

  private final Path dir;
  private final String user;
  private final String password;
  private final List<DavServer> started = new ArrayList<>();

  public DavServers(Path dir, String user, String password) {
    this.dir = dir;
    this.user = user;
    this.password = password;
  }

  /** A server on {@code port} (0: any) that stops after {@code exitAfterPuts} PUTs (0: never). */
  public DavServer start(int port, int exitAfterPuts, Option... options) throws Exception {
    DavServer s =
        DavServer.start(
            dir.resolve("served"),
            dir.resolve("requests.log"),
            port,
            user,
            password,
            exitAfterPuts,
            options);
    started.add(s);
    return s;
  }

  /** {@code curl -u} of {@code url} into {@code dir/name}; fails the test when curl fails. */
  public void download(Path into, String name, String url) {
    GoFixtures.run(into, Map.of(), "curl", "-sSf", "-u", user + ":" + password, "-o", name, url);
  }

  /** {@code curl -u} of {@code url}: its body. */
  public String get(Path dir, String url) {
    return GoFixtures.run(dir, Map.of(), "curl", "-sSf", "-u", user + ":" + password, url);
  }

  @Override
  public void close() throws InterruptedException {
    for (DavServer s : started) {
      s.close();
    }
  }
}
