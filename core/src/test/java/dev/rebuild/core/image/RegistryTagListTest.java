package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tag list a check reads: pages followed on the same repository only, bounded. */
class RegistryTagListTest {

  private HttpServer server;
  private final List<String> asked = new ArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private String serve(String firstLink, String body) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v2/",
        x -> {
          String q = x.getRequestURI().toString();
          asked.add(q);
          byte[] out;
          if (q.contains("last=b")) {
            out = "{\"name\":\"app\",\"tags\":[\"c\"]}".getBytes(StandardCharsets.UTF_8);
          } else {
            out = body.getBytes(StandardCharsets.UTF_8);
            if (firstLink != null) {
              x.getResponseHeaders().add("Link", firstLink);
            }
          }
          x.sendResponseHeaders(200, out.length);
          x.getResponseBody().write(out);
          x.close();
        });
    server.start();
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private RegistryClient client(String host) {
    return new RegistryClient(CredentialSource.NONE, Set.of(host));
  }

  @Test
  void followsNextPagesOfTheSameRepository() throws Exception {
    String host =
        serve(
            "</v2/app/tags/list?n=2&last=b>; rel=\"next\"",
            "{\"name\":\"app\",\"tags\":[\"b\",\"a\"]}");
    assertEquals(List.of("a", "b", "c"), client(host).listTags(host, "app"));
    assertEquals(2, asked.size());
  }

  @Test
  void aLinkToAnotherHostOrRepositoryIsNotFollowed() throws Exception {
    String host =
        serve("<http://evil.example/v2/app/tags/list?last=b>; rel=\"next\"", "{\"tags\":[\"a\"]}");
    assertEquals(List.of("a"), client(host).listTags(host, "app"));
    assertEquals(1, asked.size());
    assertEquals(
        null, RegistryClient.nextPage("</v2/other/tags/list?last=b>; rel=\"next\"", "app"));
  }

  @Test
  void aHugeOrMalformedAnswerIsRefused() throws Exception {
    String host =
        serve(null, "{\"tags\":[\"" + "x".repeat(RegistryClient.MAX_MANIFEST_BYTES) + "\"]}");
    ImageException e = assertThrows(ImageException.class, () -> client(host).listTags(host, "app"));
    assertTrue(e.getMessage().contains("tag list of " + host + "/app"), e.getMessage());
  }
}
