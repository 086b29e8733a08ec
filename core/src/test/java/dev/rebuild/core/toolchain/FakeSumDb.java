package dev.rebuild.core.toolchain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A checksum database's answers signed with a key made for the test, in the format of
 * sum.golang.org's {@code /lookup/} (record id, go.sum lines, blank line, signed tree note).
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

  String lookup(String module, String version, String h1, long id, long treeSize)
      throws GeneralSecurityException {
    String record =
        id
            + "\n"
            + module
            + " "
            + version
            + " "
            + h1
            + "\n"
            + module
            + " "
            + version
            + "/go.mod h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=\n";
    String tree =
        "go.sum database tree\n"
            + treeSize
            + "\n"
            + Base64.getEncoder().encodeToString(new byte[32])
            + "\n";
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(keys.getPrivate());
    s.update(tree.getBytes(StandardCharsets.UTF_8));
    byte[] sig = s.sign();
    byte[] hash = Arrays.copyOf(SumDb.keyHash(name, rawPublic), 4);
    byte[] line = new byte[68];
    System.arraycopy(hash, 0, line, 0, 4);
    System.arraycopy(sig, 0, line, 4, 64);
    return record
        + "\n"
        + tree
        + "\n\u2014 "
        + name
        + " "
        + Base64.getEncoder().encodeToString(line)
        + "\n";
  }
}
