package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.UUID;

/**
 * A Docker token service for the registry's {@code auth: token} mode: checks basic credentials and
 * issues ES256 JWTs with an {@code x5c} header, signed with a key keytool generated.
 */
final class TokenServer {
  static final String SERVICE = "rebuild-test-registry";
  static final String ISSUER = "rebuild-test-issuer";

  private final String user;
  private final String password;
  private HttpServer server;
  private PrivateKey key;
  private Certificate cert;
  Path certPem;

  TokenServer(String user, String password) {
    this.user = user;
    this.password = password;
  }

  /**
   * The realm the registry sends clients to. Named {@code localhost}, not {@code 127.0.0.1}: crane
   * (go-containerregistry since v0.21) refuses a realm whose host is a private or loopback IP
   * literal on another port than the registry's, but does not resolve host names to check them.
   */
  String realm() {
    return "http://localhost:" + server.getAddress().getPort() + "/token";
  }

  void start(Path dir) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path ks = dir.resolve("token.p12");
    Cmd.ok(
        keytool,
        "-genkeypair",
        "-alias",
        "token",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-sigalg",
        "SHA256withECDSA",
        "-dname",
        "CN=rebuild-test-token",
        "-validity",
        "2",
        "-keystore",
        ks.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    certPem = dir.resolve("token.pem");
    Cmd.ok(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "token",
        "-keystore",
        ks.toString(),
        "-storepass",
        "changeit",
        "-file",
        certPem.toString());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    key = (PrivateKey) store.getKey("token", "changeit".toCharArray());
    cert = store.getCertificate("token");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private void token(HttpExchange ex) throws IOException {
    try {
      String expected =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      String given = ex.getRequestHeaders().getFirst("Authorization");
      if (!expected.equals(given)) {
        ex.sendResponseHeaders(401, -1);
        return;
      }
      ObjectMapper json = new ObjectMapper();
      ArrayNode access = json.createArrayNode();
      String query = ex.getRequestURI().getRawQuery();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals("scope") && kv.length == 2) {
          String[] parts = URLDecoder.decode(kv[1], StandardCharsets.UTF_8).split(":");
          ObjectNode a = access.addObject();
          a.put("type", parts[0]);
          a.put("name", parts[1]);
          ArrayNode actions = a.putArray("actions");
          for (String action : parts[2].split(",")) {
            actions.add(action);
          }
        }
      }
      long now = System.currentTimeMillis() / 1000;
      ObjectNode header = json.createObjectNode();
      header.put("typ", "JWT");
      header.put("alg", "ES256");
      header.putArray("x5c").add(Base64.getEncoder().encodeToString(cert.getEncoded()));
      ObjectNode claims = json.createObjectNode();
      claims.put("iss", ISSUER);
      claims.put("sub", user);
      claims.put("aud", SERVICE);
      claims.put("exp", now + 600);
      claims.put("nbf", now - 10);
      claims.put("iat", now);
      claims.put("jti", UUID.randomUUID().toString());
      claims.set("access", access);
      Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
      String signingInput =
          url.encodeToString(json.writeValueAsBytes(header))
              + "."
              + url.encodeToString(json.writeValueAsBytes(claims));
      Signature sig = Signature.getInstance("SHA256withECDSAinP1363Format");
      sig.initSign(key);
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String jwt = signingInput + "." + url.encodeToString(sig.sign());
      byte[] body = json.writeValueAsBytes(json.createObjectNode().put("token", jwt));
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    } catch (Exception e) {
      ex.sendResponseHeaders(500, -1);
    } finally {
      ex.close();
    }
  }
}
