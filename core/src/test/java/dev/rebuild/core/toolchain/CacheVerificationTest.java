package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cached toolchain changed after it was verified and installed: hashed again before use when
 * rebuild.verifyCache asks for it, and always when others can write to the cache.
 */
class CacheVerificationTest {

  private static final String ARCHIVE_PATH = "/dl/" + Fixtures.ARCHIVE;

  @TempDir Path tmp;
  TestServer server;
  Path cache;
  Path goroot;

  @BeforeEach
  void install() throws Exception {
    server = new TestServer();
    byte[] archive = Fixtures.archive();
    server.serve(
        Fixtures.LIST_PATH,
        Fixtures.releaseList(Fixtures.VERSION, Digest.of(archive).hex(), "true")
            .getBytes(StandardCharsets.UTF_8));
    server.serve(ARCHIVE_PATH, archive);
    cache = tmp.resolve("cache");
    goroot = cache.resolve("go1.21.13.linux-amd64");
    assertEquals(goroot, store(false).provide("1.21.13").goroot());
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ToolchainStore store(boolean verifyCache) throws IOException {
    ToolchainSettings s = Fixtures.isolatedSettings(tmp, server).verifyCache(verifyCache).build();
    Path noSystem = Files.createDirectories(tmp.resolve("no-system-toolchains"));
    return new ToolchainStore(
        s,
        new InstalledToolchains(s, new CommonsExecProcessRunner(), noSystem),
        ToolchainListener.NONE,
        Duration.ofSeconds(60));
  }

  void tamper() throws IOException {
    Files.writeString(
        goroot.resolve("go.env"), "GOPROXY=https://evil.example\n", StandardOpenOption.APPEND);
  }

  @Test
  void anUntouchedCachedToolchainPassesTheCheck() throws Exception {
    assertEquals(goroot, store(true).provide("1.21.13").goroot());
    assertEquals(1, server.hits(ARCHIVE_PATH));
  }

  @Test
  void aChangedFileIsFoundWhenVerifyCacheIsSet() throws Exception {
    tamper();
    // Without the request, a private cache is trusted as it is: hashing costs a read of it all.
    assertEquals(goroot, store(false).provide("1.21.13").goroot());

    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(true).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("cached Go toolchain go1.21.13 in " + goroot), e.getMessage());
    assertTrue(e.getMessage().contains("rebuild.verifyCache"), e.getMessage());
    assertTrue(e.getMessage().contains("refusing to use it"), e.getMessage());
    assertTrue(e.getMessage().contains("Delete " + goroot), e.getMessage());

    // Doing what the message says brings a verified toolchain back.
    ToolchainCache.deleteTree(goroot);
    assertEquals(goroot, store(true).provide("1.21.13").goroot());
    assertEquals(2, server.hits(ARCHIVE_PATH));
  }

  @Test
  void aChangedFileIsFoundWithoutTheFlagWhenOthersCanWriteToTheCache() throws Exception {
    tamper();
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(false).provide("1.21.13"));
    assertTrue(
        e.getMessage().contains("cached Go toolchain go1.21.13 in " + goroot), e.getMessage());
    assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());

    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertThrows(ToolchainException.class, () -> store(false).provide("1.21.13"));
  }

  @Test
  void aToolchainCachedWithoutARecordedHashIsRefusedWhenItMustBeChecked() throws Exception {
    Path source = goroot.resolve(ToolchainCache.SOURCE_FILE);
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = (ObjectNode) json.readTree(source.toFile());
    n.remove(ToolchainCache.TREE_HASH);
    json.writeValue(source.toFile(), n);

    assertEquals(goroot, store(false).provide("1.21.13").goroot());
    ToolchainException e =
        assertThrows(ToolchainException.class, () -> store(true).provide("1.21.13"));
    assertTrue(e.getMessage().contains("recorded no hash"), e.getMessage());
    assertTrue(e.getMessage().contains("Delete " + goroot), e.getMessage());
  }
}
