package dev.rebuild.core.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.model.Digest;
import dev.rebuild.core.provenance.InToto.ResourceDescriptor;
import dev.rebuild.core.provenance.InToto.Statement;
import dev.rebuild.core.testing.TestKeys;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DSSE envelopes as cosign reads them: {@code cosign verify-blob-attestation --key} (cosign built
 * from the Go module proxy) accepts what {@link KeySigner} signs with keys made by Java and by
 * openssl, and refuses another blob or another key.
 */
class SigningTest {

  @TempDir Path dir;

  @Test
  void cosignVerifiesAnEnvelopeSignedWithAJavaMadeP256Key() throws Exception {
    KeyPair pair = TestKeys.p256();
    Path blob = Files.writeString(dir.resolve("demo.tar.gz"), "the archive");
    Path env =
        envelope(
            blob, KeySigner.fromPem(TestKeys.pem("PRIVATE KEY", pair.getPrivate().getEncoded())));
    Path pub =
        Files.writeString(
            dir.resolve("key.pub"), TestKeys.pem("PUBLIC KEY", pair.getPublic().getEncoded()));

    Result ok = cosign(pub, env, blob);
    assertEquals(0, ok.exit(), ok.output());
    assertTrue(ok.output().contains("Verified OK"), ok.output());

    Path other = Files.writeString(dir.resolve("other.tar.gz"), "another archive");
    Result wrongBlob = cosign(pub, env, other);
    assertNotEquals(0, wrongBlob.exit(), wrongBlob.output());

    KeyPair stranger = TestKeys.p256();
    Path strangerPub =
        Files.writeString(
            dir.resolve("stranger.pub"),
            TestKeys.pem("PUBLIC KEY", stranger.getPublic().getEncoded()));
    Result wrongKey = cosign(strangerPub, env, blob);
    assertNotEquals(0, wrongKey.exit(), wrongKey.output());
  }

  @Test
  void keysInEveryPemFormOpensslWritesAreAccepted() throws Exception {
    Path blob = Files.writeString(dir.resolve("demo.zip"), "the zip");
    List<List<String>> generators =
        List.of(
            // SEC1 EC PRIVATE KEY
            List.of("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "OUT"),
            List.of(
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "OUT"),
            // PKCS#1 RSA PRIVATE KEY
            List.of("genrsa", "-traditional", "-out", "OUT", "2048"),
            List.of("genpkey", "-algorithm", "ed25519", "-out", "OUT"));
    for (List<String> gen : generators) {
      Path key = dir.resolve("k-" + gen.get(0) + gen.size() + ".pem");
      List<String> cmd = new ArrayList<>(List.of("openssl"));
      gen.forEach(a -> cmd.add(a.equals("OUT") ? key.toString() : a));
      exec(cmd);
      Path pub = dir.resolve(key.getFileName() + ".pub");
      exec(List.of("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString()));
      Path env = envelope(blob, KeySigner.fromPem(Files.readString(key)));
      Result r = cosign(pub, env, blob);
      assertEquals(0, r.exit(), gen + ": " + r.output());
    }
  }

  @Test
  void unusableKeysAreRefusedNamingTheFixNeverTheKey() {
    String secret = "c2VjcmV0LWtleS1tYXRlcmlhbA==";
    IllegalArgumentException enc =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KeySigner.fromPem(
                    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                        + secret
                        + "\n-----END ENCRYPTED PRIVATE KEY-----\n"));
    assertTrue(enc.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), enc.getMessage());
    assertTrue(!enc.getMessage().contains(secret));
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> KeySigner.fromPem("not a key"));
    assertTrue(none.getMessage().contains("BEGIN PRIVATE KEY"), none.getMessage());
    IllegalArgumentException cert =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KeySigner.fromPem(
                    "-----BEGIN CERTIFICATE-----\n" + secret + "\n-----END CERTIFICATE-----"));
    assertTrue(cert.getMessage().contains("not a private key"), cert.getMessage());
    IllegalArgumentException garbage =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KeySigner.fromPem(
                    "-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----"));
    assertTrue(!garbage.getMessage().contains(secret), garbage.getMessage());
  }

  @Test
  void preAuthenticationEncodingIsTheDssePae() {
    // The example of the DSSE protocol specification.
    assertEquals(
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
        new String(
            Dsse.preAuthenticationEncoding(
                "http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8));
  }

  private Path envelope(Path blob, Signer signer) throws Exception {
    Statement st =
        Statement.of(
            List.of(
                ResourceDescriptor.of(
                    blob.getFileName().toString(), "sha256", Digest.of(blob).hex())),
            SlsaProvenance.PREDICATE_TYPE,
            Map.of("buildDefinition", Map.of("buildType", SlsaProvenance.BUILD_TYPE)));
    Dsse.Envelope e = Dsse.sign(InToto.PAYLOAD_TYPE, InToto.compact(st), signer);
    return Files.write(
        dir.resolve(blob.getFileName() + "-" + System.nanoTime() + ".intoto.jsonl"),
        InToto.compact(e));
  }

  record Result(int exit, String output) {}

  /** {@code cosign verify-blob-attestation}: offline, the key given, no transparency log. */
  static Result cosign(Path pub, Path envelope, Path blob)
      throws IOException, InterruptedException {
    return exec(
        List.of(
            TestTools.tool("cosign").toString(),
            "verify-blob-attestation",
            "--key",
            pub.toString(),
            "--signature",
            envelope.toString(),
            "--type",
            "slsaprovenance1",
            "--insecure-ignore-tlog=true",
            "--offline=true",
            blob.toString()),
        false);
  }

  private static void exec(List<String> cmd) throws IOException, InterruptedException {
    Result r = exec(cmd, true);
    assertEquals(0, r.exit(), cmd + ": " + r.output());
  }

  private static Result exec(List<String> cmd, boolean quiet)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    pb.environment().remove("SIGSTORE_ROOT_FILE");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return new Result(-1, "timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
