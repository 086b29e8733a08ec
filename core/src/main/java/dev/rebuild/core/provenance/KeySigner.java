package dev.rebuild.core.provenance;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Signs with a PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}: ECDSA, RSA or Ed25519), SEC1
 * ({@code BEGIN EC PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), unencrypted. ECDSA and
 * RSA sign SHA-256 digests (RSA with PKCS#1 v1.5), as cosign verifies them with {@code --key}.
 */
public final class KeySigner implements Signer {

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private static final byte[] OID_EC_PUBLIC_KEY = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };
  private static final byte[] OID_RSA_ENCRYPTION = {
    0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
  };

  private final PrivateKey key;
  private final String algorithm;

  private KeySigner(PrivateKey key, String algorithm) {
    this.key = key;
    this.algorithm = algorithm;
  }

  /**
   * Reads a PEM private key.
   *
   * @throws IllegalArgumentException naming what is wrong with it (never its content)
   */
  public static KeySigner fromPem(String pem) {
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "no PEM private key found (expected a -----BEGIN PRIVATE KEY----- block)");
    }
    String type = m.group(1);
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM block " + type + " is not valid base64");
    }
    byte[] pkcs8 =
        switch (type) {
          case "PRIVATE KEY" -> der;
          case "EC PRIVATE KEY" -> pkcs8(algorithmIdentifier(OID_EC_PUBLIC_KEY, curveOf(der)), der);
          case "RSA PRIVATE KEY" -> pkcs8(algorithmIdentifier(OID_RSA_ENCRYPTION, NULL), der);
          case "ENCRYPTED PRIVATE KEY",
                  "ENCRYPTED SIGSTORE PRIVATE KEY",
                  "ENCRYPTED COSIGN PRIVATE KEY" ->
              throw new IllegalArgumentException(
                  "the key is encrypted ("
                      + type
                      + "); give an unencrypted PEM key (keep it in a settings.xml server, whose"
                      + " password Maven can encrypt), e.g. openssl pkcs8 -topk8 -nocrypt -in"
                      + " encrypted.pem -out rebuild.key");
          default ->
              throw new IllegalArgumentException(
                  "the PEM block is " + type + ", not a private key (BEGIN PRIVATE KEY)");
        };
    for (String alg : List.of("EC", "RSA", "Ed25519")) {
      try {
        PrivateKey k = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        return new KeySigner(
            k,
            switch (alg) {
              case "EC" -> "SHA256withECDSA";
              case "RSA" -> "SHA256withRSA";
              default -> "Ed25519";
            });
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new IllegalArgumentException(
        "the " + type + " block holds no ECDSA, RSA or Ed25519 private key Java can read");
  }

  @Override
  public String keyId() {
    return "";
  }

  @Override
  public byte[] sign(byte[] pae) throws GeneralSecurityException {
    Signature s = Signature.getInstance(algorithm);
    s.initSign(key);
    s.update(pae);
    return s.sign();
  }

  @Override
  public String describe() {
    if (key instanceof ECPrivateKey ec) {
      return "ECDSA P-" + ec.getParams().getCurve().getField().getFieldSize() + " key";
    }
    if (key instanceof RSAPrivateKey rsa) {
      return "RSA " + rsa.getModulus().bitLength() + " key";
    }
    return "Ed25519 key";
  }

  private static final byte[] NULL = {0x05, 0x00};

  /** The named-curve OID in a SEC1 {@code ECPrivateKey}'s {@code [0] parameters}. */
  private static byte[] curveOf(byte[] sec1) {
    // SEQUENCE { INTEGER 1, OCTET STRING key, [0] { OID curve }, [1] ... }
    int[] seq = header(sec1, 0);
    int i = seq[0];
    int end = seq[0] + seq[1];
    while (i < end) {
      int[] h = header(sec1, i);
      if ((sec1[i] & 0xff) == 0xa0) {
        int[] oid = header(sec1, h[0]);
        byte[] out = new byte[oid[0] - h[0] + oid[1]];
        System.arraycopy(sec1, h[0], out, 0, out.length);
        return out;
      }
      i = h[0] + h[1];
    }
    throw new IllegalArgumentException(
        "the EC PRIVATE KEY names no curve; write it as PKCS#8: openssl pkcs8 -topk8 -nocrypt");
  }

  /** {@code [offset of content, length]} of the DER element at {@code at}. */
  private static int[] header(byte[] der, int at) {
    if (at + 1 >= der.length) {
      throw new IllegalArgumentException("the key's DER encoding is truncated");
    }
    int len = der[at + 1] & 0xff;
    int pos = at + 2;
    if (len > 0x80) {
      int n = len & 0x7f;
      if (n > 3) {
        throw new IllegalArgumentException("the key's DER encoding is malformed");
      }
      len = 0;
      for (int k = 0; k < n; k++) {
        len = (len << 8) | (der[pos++] & 0xff);
      }
    }
    if (pos + len > der.length) {
      throw new IllegalArgumentException("the key's DER encoding is truncated");
    }
    return new int[] {pos, len};
  }

  private static byte[] algorithmIdentifier(byte[] oid, byte[] parameters) {
    return tlv(0x30, concat(oid, parameters));
  }

  private static byte[] pkcs8(byte[] algorithmIdentifier, byte[] privateKey) {
    byte[] version = {0x02, 0x01, 0x00};
    return tlv(0x30, concat(version, algorithmIdentifier, tlv(0x04, privateKey)));
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
