package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Proves that a checksum database record is in the signed tree: recomputes the tree's root hash
 * from the record and the hashes the database publishes as tiles (golang.org/x/mod/sumdb/tlog, RFC
 * 6962 hashing, tile height 8), and compares it with the signed root.
 */
final class TileProof {

  static final int HEIGHT = 8;
  private static final int WIDTH = 1 << HEIGHT;

  /** Fetches a tile's bytes by its path below the database URL. */
  interface Tiles {
    byte[] get(String path) throws IOException;
  }

  private final Tiles tiles;
  private final long treeSize;
  private final Map<String, byte[]> fetched = new HashMap<>();

  TileProof(Tiles tiles, long treeSize) {
    this.tiles = tiles;
    this.treeSize = treeSize;
  }

  /**
   * The root hash of the tree of {@link #treeSize} records with {@code data} as record {@code id}.
   */
  byte[] rootWith(long id, byte[] data) throws IOException {
    if (id < 0 || id >= treeSize) {
      throw new IOException("record " + id + " is outside the tree of size " + treeSize);
    }
    return withLeaf(0, treeSize, id, recordHash(data));
  }

  /**
   * True when the tree of {@code oldSize} records with root {@code oldRoot} is a prefix of this
   * tree, whose root is {@code root}: both roots are recomputed from the same published hashes.
   */
  boolean hasPrefix(long oldSize, byte[] oldRoot, byte[] root) throws IOException {
    if (oldSize <= 0 || oldSize > treeSize) {
      return false;
    }
    byte[][] both = prefixAndWhole(0, treeSize, oldSize);
    return Arrays.equals(both[0], oldRoot) && Arrays.equals(both[1], root);
  }

  /** The hashes of [lo, n) and [lo, hi) for lo < n <= hi, sharing every hash they can. */
  private byte[][] prefixAndWhole(long lo, long hi, long n) throws IOException {
    if (n == hi) {
      byte[] h = subtree(lo, hi);
      return new byte[][] {h, h};
    }
    long k = split(hi - lo);
    if (n <= lo + k) {
      byte[][] left = prefixAndWhole(lo, lo + k, n);
      return new byte[][] {left[0], nodeHash(left[1], subtree(lo + k, hi))};
    }
    byte[] left = subtree(lo, lo + k);
    byte[][] right = prefixAndWhole(lo + k, hi, n);
    return new byte[][] {nodeHash(left, right[0]), nodeHash(left, right[1])};
  }

  private byte[] withLeaf(long lo, long hi, long id, byte[] leaf) throws IOException {
    if (hi - lo == 1) {
      return leaf;
    }
    long k = split(hi - lo);
    if (id < lo + k) {
      return nodeHash(withLeaf(lo, lo + k, id, leaf), subtree(lo + k, hi));
    }
    return nodeHash(subtree(lo, lo + k), withLeaf(lo + k, hi, id, leaf));
  }

  /** The hash of records [lo, hi), from the published tiles. */
  private byte[] subtree(long lo, long hi) throws IOException {
    long size = hi - lo;
    if (Long.bitCount(size) == 1 && lo % size == 0) {
      return stored(Long.numberOfTrailingZeros(size), lo / size);
    }
    long k = split(size);
    return nodeHash(subtree(lo, lo + k), subtree(lo + k, hi));
  }

  /** The largest power of two smaller than {@code n} (n >= 2). */
  private static long split(long n) {
    return Long.highestOneBit(n - 1);
  }

  /** The hash of the complete subtree at {@code level}, index {@code n}. */
  private byte[] stored(int level, long n) throws IOException {
    int tileLevel = level / HEIGHT;
    int up = level - tileLevel * HEIGHT;
    long first = n << up;
    long count = 1L << up;
    long tileIndex = first / WIDTH;
    byte[] tile = tile(tileLevel, tileIndex);
    int offset = (int) (first - tileIndex * WIDTH);
    byte[][] row = new byte[(int) count][];
    for (int i = 0; i < count; i++) {
      int at = (offset + i) * 32;
      if (at + 32 > tile.length) {
        throw new IOException("tile " + tilePath(tileLevel, tileIndex, WIDTH) + " is too short");
      }
      row[i] = Arrays.copyOfRange(tile, at, at + 32);
    }
    while (row.length > 1) {
      byte[][] next = new byte[row.length / 2][];
      for (int i = 0; i < next.length; i++) {
        next[i] = nodeHash(row[2 * i], row[2 * i + 1]);
      }
      row = next;
    }
    return row[0];
  }

  private byte[] tile(int level, long index) throws IOException {
    long complete = treeSize >> (HEIGHT * level);
    long width = Math.min(WIDTH, complete - index * WIDTH);
    String path = tilePath(level, index, (int) width);
    byte[] cached = fetched.get(path);
    if (cached != null) {
      return cached;
    }
    byte[] data;
    try {
      data = tiles.get(path);
    } catch (IOException e) {
      if (width == WIDTH) {
        throw e;
      }
      // The tree grew since: the full tile starts with the same hashes.
      data = tiles.get(tilePath(level, index, WIDTH));
    }
    if (data.length < width * 32) {
      throw new IOException(
          "tile " + path + " holds " + data.length / 32 + " hashes, not " + width);
    }
    fetched.put(path, data);
    return data;
  }

  /** {@code tile/8/L/x123/456[.p/W]} as tlog.Tile.Path writes it. */
  static String tilePath(int level, long index, int width) {
    long n = index;
    String s = String.format(Locale.ROOT, "%03d", n % 1000);
    while (n >= 1000) {
      n /= 1000;
      s = String.format(Locale.ROOT, "x%03d/%s", n % 1000, s);
    }
    return "tile/" + HEIGHT + "/" + level + "/" + s + (width == WIDTH ? "" : ".p/" + width);
  }

  static byte[] recordHash(byte[] data) {
    MessageDigest sha = Digest.sha256();
    sha.update((byte) 0);
    sha.update(data);
    return sha.digest();
  }

  static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest sha = Digest.sha256();
    sha.update((byte) 1);
    sha.update(left);
    sha.update(right);
    return sha.digest();
  }
}
