package dev.rebuild.core.toolchain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A checksum database made for the test: a real RFC 6962 tree of go.sum records, its tiles, and
 * lookup answers signed with a key of its own, laid out as sum.golang.org serves them.
 */
final class FakeSumDb {

  final String name;
  private final KeyPair keys;
  private final byte[] rawPublic;

  FakeSumDb(String name) throws GeneralSecurityException {
    this.name = name;
    this.keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] x509 = keys.getPublic().getEncoded();
    byte[] raw = new byte[33];
    raw[0] = 1;
    System.arraycopy(x509, x509.length - 32, raw, 1, 32);
    this.rawPublic = raw;
  }

  /** The verifier key as GOSUMDB takes it: {@code name+hash+key}. */
  String verifierKey() {
    byte[] hash = Arrays.copyOf(SumDb.keyHash(name, rawPublic), 4);
    return name
        + "+"
        + HexFormat.of().formatHex(hash)
        + "+"
        + Base64.getEncoder().encodeToString(rawPublic);
  }

  static String record(String module, String version, String h1) {
    return module
        + " "
        + version
        + " "
        + h1
        + "\n"
        + module
        + " "
        + version
        + "/go.mod h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=\n";
  }

  /**
   * Serves below {@code base} a tree of {@code size} records whose record {@code id} says {@code
   * h1InTree}, its tiles, and a lookup for the module answering {@code h1Answered}.
   */
  void publish(
      TestServer server,
      String base,
      String module,
      String version,
      String h1InTree,
      String h1Answered,
      long id,
      int size)
      throws GeneralSecurityException {
    publish(server, base, module, version, h1InTree, h1Answered, id, size, "");
  }

  /** As above, with the other records varied by {@code history}: another history, a fork. */
  void publish(
      TestServer server,
      String base,
      String module,
      String version,
      String h1InTree,
      String h1Answered,
      long id,
      int size,
      String history)
      throws GeneralSecurityException {
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String data =
          i == id
              ? record(module, version, h1InTree)
              : record("example.com/m" + history + i, "v1.0." + i, "h1:" + "B".repeat(43) + "=");
      leaves.add(leafHash(data.getBytes(StandardCharsets.UTF_8)));
    }
    byte[] root = mth(leaves, 0, size);
    for (int level = 0; (size >> (8 * level)) > 0; level++) {
      int complete = size >> (8 * level);
      for (int n = 0; n * 256 < complete; n++) {
        int width = Math.min(256, complete - n * 256);
        byte[] tile = new byte[width * 32];
        for (int j = 0; j < width; j++) {
          int span = 1 << (8 * level);
          int lo = (n * 256 + j) * span;
          System.arraycopy(mth(leaves, lo, lo + span), 0, tile, j * 32, 32);
        }
        server.serve(base + TileProof.tilePath(level, n, width), tile);
      }
    }
    String tree =
        "go.sum database tree\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    String answer =
        id + "\n" + record(module, version, h1Answered) + "\n" + tree + "\n" + signature(tree);
    server.serve(
        base + "lookup/" + module + "@" + version, answer.getBytes(StandardCharsets.UTF_8));
  }

  private String signature(String text) throws GeneralSecurityException {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(keys.getPrivate());
    s.update(text.getBytes(StandardCharsets.UTF_8));
    byte[] sig = s.sign();
    byte[] line = new byte[68];
    System.arraycopy(SumDb.keyHash(name, rawPublic), 0, line, 0, 4);
    System.arraycopy(sig, 0, line, 4, 64);
    return "\u2014 " + name + " " + Base64.getEncoder().encodeToString(line) + "\n";
  }

  /** RFC 6962's Merkle tree hash, straight from its recursive definition. */
  static byte[] mth(List<byte[]> leaves, int lo, int hi) {
    if (hi - lo == 1) {
      return leaves.get(lo);
    }
    int k = 1;
    while (k * 2 < hi - lo) {
      k *= 2;
    }
    return hash((byte) 1, mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
  }

  static byte[] leafHash(byte[] data) {
    return hash((byte) 0, data);
  }

  private static byte[] hash(byte prefix, byte[]... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(prefix);
      for (byte[] p : parts) {
        sha.update(p);
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
