package dev.rebuild.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** A SHA-256 digest; prints as {@code sha256:<hex>}. */
public record Digest(String hex) {

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a sha256 digest: " + hex);
    }
  }

  /** Parses {@code sha256:<hex>} or bare hex. */
  public static Digest parse(String text) {
    String t = text.trim();
    if (t.startsWith("sha256:")) {
      t = t.substring("sha256:".length());
    }
    return new Digest(t.toLowerCase(Locale.ROOT));
  }

  public static Digest of(byte[] data) {
    return new Digest(HexFormat.of().formatHex(sha256().digest(data)));
  }

  public static Digest of(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return of(in);
    }
  }

  /** Reads the stream to its end. */
  public static Digest of(InputStream in) throws IOException {
    MessageDigest md = sha256();
    try (DigestInputStream din = new DigestInputStream(in, md)) {
      din.transferTo(OutputStream.nullOutputStream());
    }
    return new Digest(HexFormat.of().formatHex(md.digest()));
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }
}
