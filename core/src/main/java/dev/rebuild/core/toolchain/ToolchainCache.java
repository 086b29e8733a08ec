package dev.rebuild.core.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Downloaded toolchains, one GOROOT per version and platform: {@code
 * <cache>/go1.22.12.linux-amd64/}. A toolchain appears there only complete (unpacked in a temporary
 * directory, then moved in one step); a file lock per version lets concurrent processes download it
 * once.
 */
final class ToolchainCache {

  /** Inside a cached GOROOT: where it came from. Written before the move that publishes it. */
  static final String SOURCE_FILE = ".rebuild-toolchain.json";

  /**
   * In {@link #SOURCE_FILE}: the {@link #treeHash} of the GOROOT as it was unpacked from the
   * verified download (the download itself is not kept, so its checksum cannot be checked again).
   */
  static final String TREE_HASH = "treeSha256";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** FileChannel locks are per process; threads of one JVM queue here first. */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS =
      new ConcurrentHashMap<>();

  /** Work done while holding a version's lock. */
  interface Locked<T> {
    T run() throws IOException, ToolchainException;
  }

  private final Path dir;

  ToolchainCache(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  Path dir() {
    return dir;
  }

  static String key(GoVersion version, Platform platform) {
    return version + "." + platform.os() + "-" + platform.arch();
  }

  Path goroot(GoVersion version, Platform platform) {
    return dir.resolve(key(version, platform));
  }

  /** The complete cached toolchain of {@code version}, if there is one. */
  Optional<Toolchain> lookup(GoVersion version, Platform platform) {
    return read(goroot(version, platform)).filter(t -> t.version().equals(version));
  }

  /** Every complete cached toolchain for {@code platform}, newest first. */
  List<Toolchain> all(Platform platform) {
    List<Toolchain> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    String suffix = "." + platform.os() + "-" + platform.arch();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "go*" + suffix)) {
      for (Path p : ds) {
        read(p).ifPresent(out::add);
      }
    } catch (IOException e) {
      return out;
    }
    out.sort(Comparator.comparing(Toolchain::version).reversed());
    return out;
  }

  private static Optional<Toolchain> read(Path goroot) {
    Path source = goroot.resolve(SOURCE_FILE);
    if (!Files.isRegularFile(source) || !InstalledToolchains.isGoroot(goroot)) {
      return Optional.empty();
    }
    GoVersion v = InstalledToolchains.versionFile(goroot);
    if (v == null) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(source.toFile());
      String url = n.path("sourceUrl").asText(null);
      String sha = n.path("archiveSha256").asText(null);
      return Optional.of(
          new Toolchain(v, goroot, "downloaded: " + url + " (cached in " + goroot + ")", url, sha));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Runs {@code work} holding the lock of {@code key}, across threads and processes. A process that
   * dies lets go of its lock with it.
   */
  <T> T locked(String key, Locked<T> work) throws IOException, ToolchainException {
    Files.createDirectories(dir);
    return lockedFile(dir.resolve(".lock-" + key), work);
  }

  /**
   * Runs {@code work} holding a lock on {@code lockFile} (created when missing), across threads and
   * processes.
   */
  static <T> T lockedFile(Path lockFile, Locked<T> work) throws IOException, ToolchainException {
    ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, k -> new ReentrantLock());
    local.lock();
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      return work.run();
    } finally {
      local.unlock();
    }
  }

  /**
   * A fresh work directory in the cache (same file system, so the final move is atomic). Call
   * holding the key's lock: work directories a killed process left behind are removed first.
   */
  Path workDir(String key) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".tmp-" + key + "-*")) {
      for (Path stale : ds) {
        deleteTree(stale);
      }
    }
    return Files.createTempDirectory(dir, ".tmp-" + key + "-");
  }

  /** Records where {@code goroot} came from and moves it into place in one step. */
  Toolchain publish(Path goroot, GoVersion version, Platform platform, String url, String sha256)
      throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("version", version.toString());
    n.put("sourceUrl", url);
    n.put("archiveSha256", sha256);
    n.put(TREE_HASH, treeHash(goroot));
    JSON.writerWithDefaultPrettyPrinter().writeValue(goroot.resolve(SOURCE_FILE).toFile(), n);
    Path target = goroot(version, platform);
    if (Files.exists(target)) {
      // An incomplete copy from an older tool or a hand-made directory: never merge into it.
      deleteTree(target);
    }
    try {
      Files.move(goroot, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
      throw new IOException("cannot move the unpacked toolchain into " + target + ": " + e, e);
    }
    return read(target)
        .orElseThrow(
            () -> new IOException("the toolchain moved into " + target + " is unreadable"));
  }

  /**
   * Whether {@code goroot} must be hashed again before use: always when asked, and when the cache
   * directory or the toolchain's directory is writable by group or others (someone else could have
   * changed it). A file system without POSIX permissions tells nothing, so only the request counts
   * there.
   */
  boolean mustVerify(Path goroot, boolean requested) {
    return requested || sharedWritable(dir) || sharedWritable(goroot);
  }

  private static boolean sharedWritable(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      return perms.contains(PosixFilePermission.GROUP_WRITE)
          || perms.contains(PosixFilePermission.OTHERS_WRITE);
    } catch (UnsupportedOperationException | IOException e) {
      return false;
    }
  }

  /**
   * Hashes the cached toolchain's files again and compares them with the hash recorded when it was
   * installed; refuses it on a difference. Refusing rather than replacing it: a toolchain that
   * changed in the cache is news its owner must hear, and deleting it is all it takes to have it
   * downloaded and verified again.
   *
   * @param why why it is checked, for the message
   */
  void verify(Toolchain toolchain, String why) throws ToolchainException {
    Path goroot = toolchain.goroot();
    String fix =
        " Delete "
            + goroot
            + " (the next run downloads and verifies it again), and check who can write to "
            + dir
            + ".";
    String recorded;
    String actual;
    try {
      recorded = JSON.readTree(goroot.resolve(SOURCE_FILE).toFile()).path(TREE_HASH).asText(null);
      actual = recorded == null ? null : treeHash(goroot);
    } catch (IOException e) {
      throw new ToolchainException(
          "cannot check the cached Go toolchain "
              + toolchain.version()
              + " in "
              + goroot
              + " ("
              + why
              + "): "
              + Http.describe(e)
              + "."
              + fix,
          e);
    }
    if (recorded == null) {
      throw new ToolchainException(
          "cannot check the cached Go toolchain "
              + toolchain.version()
              + " in "
              + goroot
              + " ("
              + why
              + "): it was cached by an older rebuild that recorded no hash of its files."
              + fix);
    }
    if (!recorded.equals(actual)) {
      throw new ToolchainException(
          "the cached Go toolchain "
              + toolchain.version()
              + " in "
              + goroot
              + " is not what was installed ("
              + why
              + "): its files hash to "
              + actual
              + ", but "
              + recorded
              + " was recorded when it was verified and cached, so a file in it was changed since;"
              + " refusing to use it."
              + fix);
    }
  }

  /**
   * The sha256 of a GOROOT's content: of one line per file, in the order of the relative paths,
   * holding the file's sha256 (a symlink's target) and its path. {@link #SOURCE_FILE} is left out,
   * since it records this hash.
   */
  static String treeHash(Path goroot) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(goroot)) {
      all = walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    TreeMap<String, Path> sorted = new TreeMap<>();
    for (Path p : all) {
      String rel = goroot.relativize(p).toString().replace('\\', '/');
      if (!rel.equals(SOURCE_FILE)) {
        sorted.put(rel, p);
      }
    }
    MessageDigest tree = Digest.sha256();
    byte[] buf = new byte[1 << 16];
    for (Map.Entry<String, Path> e : sorted.entrySet()) {
      Path p = e.getValue();
      String line;
      if (Files.isSymbolicLink(p)) {
        line = "symlink " + Files.readSymbolicLink(p);
      } else {
        MessageDigest file = Digest.sha256();
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
          for (int n; (n = in.read(buf)) >= 0; ) {
            file.update(buf, 0, n);
          }
        }
        line = "file " + HexFormat.of().formatHex(file.digest());
      }
      tree.update((line + "  " + e.getKey() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(tree.digest());
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : all) {
      // Read-only directories (as Go's module cache makes them) cannot lose their entries.
      if (!Files.isSymbolicLink(p) && Files.isDirectory(p)) {
        p.toFile().setWritable(true);
      }
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
