package dev.rebuild.core.toolchain;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Looks module hashes up in a Go checksum database (sum.golang.org) and checks the signature on the
 * tree head it answers with, as {@code go} does, through the module proxy when the proxy serves the
 * database ({@code <proxy>/sumdb/<name>/supported}) and directly otherwise.
 */
final class SumDb {

  /** The database named by a {@code GOSUMDB} value: its name, verifier key and URL. */
  record Config(String name, String verifierKey, PublicKey publicKey, URI url) {

    /**
     * Parses {@code GOSUMDB}: {@code name}, {@code name+hash+key} or either followed by a URL; null
     * for {@code off}.
     */
    static Config parse(String gosumdb) throws IOException {
      String v = gosumdb.trim();
      if (v.equals("off")) {
        return null;
      }
      String[] parts = v.split("\\s+");
      if (parts.length > 2) {
        throw new IOException("GOSUMDB '" + v + "' has too many fields: use 'name+key [url]'");
      }
      String key = parts[0];
      if (!key.contains("+")) {
        if (!ToolchainSettings.DEFAULT_SUMDB.startsWith(key + "+")) {
          throw new IOException(
              "GOSUMDB '" + v + "' names a checksum database without its key: use 'name+hash+key'");
        }
        key = ToolchainSettings.DEFAULT_SUMDB;
      }
      String[] k = key.split("\\+", 3);
      if (k.length != 3 || !k[1].matches("[0-9a-f]{8}")) {
        throw new IOException(
            "GOSUMDB key '" + key + "' is malformed: expected name+<8 hex digits>+<base64 key>");
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(k[2]);
      } catch (IllegalArgumentException e) {
        throw new IOException("GOSUMDB key '" + key + "' has a key that is not base64", e);
      }
      if (raw.length != 33 || raw[0] != 1) {
        throw new IOException("GOSUMDB key '" + key + "' is not an Ed25519 verifier key");
      }
      byte[] hash = Arrays.copyOf(keyHash(k[0], raw), 4);
      if (!HexFormat.of().formatHex(hash).equals(k[1])) {
        throw new IOException("GOSUMDB key '" + key + "': the key hash does not match the key");
      }
      String url = parts.length == 2 ? parts[1] : "https://" + k[0];
      return new Config(
          k[0], key, ed25519(Arrays.copyOfRange(raw, 1, 33)), URI.create(withSlash(url)));
    }

    byte[] hash4() {
      byte[] raw = Base64.getDecoder().decode(verifierKey.split("\\+", 3)[2]);
      return Arrays.copyOf(keyHash(name, raw), 4);
    }
  }

  /** A verified answer: the module's h1 hash and where it came from. */
  record Answer(String h1, long recordId, long treeSize, URI lookedUp) {}

  private static final byte[] ED25519_X509_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");

  private final Config config;
  private final List<URI> proxies;
  private final Http http;
  private final Path memory;

  /**
   * @param memory a directory where the newest signed tree seen is kept, so that every later tree
   *     must extend it (as go keeps {@code $GOPATH/pkg/sumdb}); null to remember nothing
   */
  SumDb(Config config, List<URI> proxies, Http http, Path memory) {
    this.config = config;
    this.proxies = List.copyOf(proxies);
    this.http = http;
    this.memory = memory;
  }

  String name() {
    return config.name();
  }

  /**
   * The {@code h1:} hash of {@code module@version}'s zip, from an answer whose tree head carries a
   * valid signature of the database's key.
   */
  Answer lookup(String module, String version) throws IOException {
    List<String> failures = new ArrayList<>();
    for (URI base : bases(failures)) {
      URI uri = base.resolve("lookup/" + module + "@" + version);
      byte[] body;
      try {
        body = http.get(uri);
      } catch (IOException e) {
        failures.add(e.getMessage());
        continue;
      }
      return verify(new String(body, StandardCharsets.UTF_8), module, version, uri, base);
    }
    throw new Http.Unavailable(
        "the checksum database "
            + config.name()
            + " cannot be asked about "
            + module
            + "@"
            + version
            + ": "
            + String.join("; ", failures),
        null);
  }

  private List<URI> bases(List<String> failures) {
    List<URI> out = new ArrayList<>();
    for (URI proxy : proxies) {
      URI base = proxy.resolve("sumdb/" + config.name() + "/");
      try {
        http.get(base.resolve("supported"));
        out.add(base);
      } catch (IOException e) {
        failures.add(e.getMessage());
      }
    }
    out.add(config.url());
    return out;
  }

  /**
   * Checks a lookup answer: the tree head's signature, then that the record is in that tree (its
   * root recomputed from the record and the database's tiles below {@code base}).
   */
  Answer verify(String answer, String module, String version, URI from, URI base)
      throws IOException {
    int split = answer.indexOf("\n\n");
    int firstLine = answer.indexOf('\n');
    if (split < 0 || firstLine < 0) {
      throw new IOException(from + " is not a checksum database answer (no signed tree)");
    }
    String data = answer.substring(firstLine + 1, split + 1);
    String note = answer.substring(split + 2);
    long id;
    try {
      id = Long.parseLong(answer.substring(0, firstLine).trim());
    } catch (NumberFormatException e) {
      throw new IOException(from + " is not a checksum database answer (no record id)", e);
    }
    Tree tree = verifyTree(note, from);
    if (id < 0 || id >= tree.size()) {
      throw new IOException(
          from + ": record " + id + " is not in the signed tree of size " + tree.size());
    }
    byte[] root;
    try {
      root =
          new TileProof(path -> http.get(base.resolve(path)), tree.size())
              .rootWith(id, data.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Http.Unavailable(
          "cannot prove record " + id + " of " + from + " in the signed tree: " + e.getMessage(),
          e);
    }
    if (!Arrays.equals(root, tree.root())) {
      throw new IOException(
          from
              + ": record "
              + id
              + " is not in the signed tree of size "
              + tree.size()
              + " (the tiles lead to another root hash); refusing it");
    }
    remember(tree, note, base, from);
    String prefix = module + " " + version + " ";
    for (String line : data.split("\n")) {
      if (line.startsWith(prefix) && line.substring(prefix.length()).startsWith("h1:")) {
        return new Answer(line.substring(prefix.length()).trim(), id, tree.size(), from);
      }
    }
    throw new IOException(from + " has no h1 hash for " + module + "@" + version);
  }

  /**
   * Checks that {@code tree} and the newest tree this machine saw before are one history (one
   * extends the other), then remembers the newer of the two.
   */
  private void remember(Tree tree, String note, URI base, URI from) throws IOException {
    if (memory == null) {
      return;
    }
    Path latest = memory.resolve(config.name()).resolve("latest");
    Files.createDirectories(latest.getParent());
    // Read, compare and replace as one step: concurrent builds sharing the cache would otherwise
    // each compare against the same old tree and the last to write could put an older tree back.
    try {
      ToolchainCache.lockedFile(
          latest.resolveSibling("latest.lock"),
          () -> {
            rememberLocked(latest, tree, note, base, from);
            return null;
          });
    } catch (ToolchainException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private void rememberLocked(Path latest, Tree tree, String note, URI base, URI from)
      throws IOException {
    if (Files.isRegularFile(latest)) {
      Tree old = verifyTree(Files.readString(latest, StandardCharsets.UTF_8), latest.toUri());
      boolean oneHistory;
      try {
        if (old.size() == tree.size()) {
          oneHistory = Arrays.equals(old.root(), tree.root());
        } else if (old.size() < tree.size()) {
          oneHistory =
              new TileProof(path -> http.get(base.resolve(path)), tree.size())
                  .hasPrefix(old.size(), old.root(), tree.root());
        } else {
          oneHistory =
              new TileProof(path -> http.get(base.resolve(path)), old.size())
                  .hasPrefix(tree.size(), tree.root(), old.root());
        }
      } catch (IOException e) {
        throw new Http.Unavailable(
            "cannot check that the tree of "
                + from
                + " extends the one seen before ("
                + latest
                + "): "
                + e.getMessage(),
            e);
      }
      if (!oneHistory) {
        throw new IOException(
            from
                + ": the signed tree of size "
                + tree.size()
                + " and the one of size "
                + old.size()
                + " seen before ("
                + latest
                + ") are not one history; the checksum database may be showing different"
                + " histories to different users, refusing its answer");
      }
      if (old.size() >= tree.size()) {
        return;
      }
    }
    Path temp = Files.createTempFile(latest.getParent(), "latest", ".tmp");
    try {
      Files.writeString(temp, note, StandardCharsets.UTF_8);
      Files.move(temp, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** A signed tree head: its size and root hash. */
  record Tree(long size, byte[] root) {}

  /** Checks the note's signature by this database's key; returns the signed tree head. */
  private Tree verifyTree(String note, URI from) throws IOException {
    int split = note.lastIndexOf("\n\n");
    if (split < 0) {
      throw new IOException(from + ": the tree note carries no signature");
    }
    String text = note.substring(0, split + 1);
    boolean signed = false;
    for (String sig : note.substring(split + 2).split("\n")) {
      String prefix = "\u2014 " + config.name() + " ";
      if (!sig.startsWith(prefix)) {
        continue;
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(sig.substring(prefix.length()).trim());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (raw.length != 68 || !Arrays.equals(Arrays.copyOf(raw, 4), config.hash4())) {
        continue;
      }
      try {
        Signature v = Signature.getInstance("Ed25519");
        v.initVerify(config.publicKey());
        v.update(text.getBytes(StandardCharsets.UTF_8));
        signed = v.verify(Arrays.copyOfRange(raw, 4, 68));
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot check the signature of " + from + ": " + e.getMessage(), e);
      }
      if (signed) {
        break;
      }
    }
    if (!signed) {
      throw new IOException(
          from + ": the tree head is not signed by " + config.verifierKey() + "; refusing it");
    }
    String[] t = text.split("\n");
    if (t.length < 3 || !t[0].equals("go.sum database tree")) {
      throw new IOException(from + ": the signed note is not a go.sum database tree head");
    }
    try {
      byte[] root = Base64.getDecoder().decode(t[2].trim());
      if (root.length != 32) {
        throw new IllegalArgumentException("root hash of " + root.length + " bytes");
      }
      return new Tree(Long.parseLong(t[1].trim()), root);
    } catch (IllegalArgumentException e) {
      throw new IOException(from + ": the tree head is malformed (" + e.getMessage() + ")", e);
    }
  }

  static byte[] keyHash(String name, byte[] rawKey) {
    MessageDigest sha = dev.rebuild.core.model.Digest.sha256();
    sha.update((name + "\n").getBytes(StandardCharsets.UTF_8));
    sha.update(rawKey);
    return sha.digest();
  }

  static PublicKey ed25519(byte[] raw32) throws IOException {
    byte[] der = new byte[ED25519_X509_PREFIX.length + 32];
    System.arraycopy(ED25519_X509_PREFIX, 0, der, 0, ED25519_X509_PREFIX.length);
    System.arraycopy(raw32, 0, der, ED25519_X509_PREFIX.length, 32);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException("not an Ed25519 key: " + e.getMessage(), e);
    }
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }
}
