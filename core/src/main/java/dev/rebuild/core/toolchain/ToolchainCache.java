package dev.rebuild.core.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
   * Runs {@code work} holding a lock on {@code lockFile} (created when missing), across threads
   * and processes.
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
