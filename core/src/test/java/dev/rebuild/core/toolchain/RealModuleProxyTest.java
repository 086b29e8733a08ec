package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module-proxy path against the real Go module proxy and, through it, the real checksum
 * database. The toolchain is kept in a cache of this test's own under the user's cache directory
 * ({@code ${XDG_CACHE_HOME:-~/.cache}/rebuild/test-real-proxy}): the ~70 MB download and its
 * verification against the checksum database are checked when that cache does not hold it yet (the
 * first run on a machine, or after deleting it); later runs check that the cached toolchain is used
 * without a download and still works, and ask the real checksum database for the zip's hash.
 */
@Tag("network")
class RealModuleProxyTest {

  /** sum.golang.org's hash for this zip; the database never changes an entry. */
  static final String REAL_H1 = "h1:Hdh4VJAlDWzMnhKpqDwqJJr+sE7NgsJ86dyR4wrv2oY=";

  static final Path CACHE = TestTools.cacheRoot().resolve("test-real-proxy");

  static final String ZIP =
      "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.zip";

  private final ProcessRunner runner = new CommonsExecProcessRunner();

  @TempDir Path tmp;

  ToolchainStore store(ToolchainListener listener) throws IOException {
    Path none = Files.createDirectories(tmp.resolve("none"));
    ToolchainSettings s =
        ToolchainSettings.builder()
            .home(none)
            .environment(Map.of("PATH", none.toString()))
            .cacheDir(CACHE)
            // The release list is unreachable, so the official archive cannot be verified and
            // the toolchain comes from the module proxy.
            .releaseList(none.resolve("no-release-list.json").toString())
            .downloadBase(none.toUri())
            .goproxy("https://proxy.golang.org,direct")
            .sumdb("sum.golang.org")
            .build();
    return new ToolchainStore(
        s, new InstalledToolchains(s, runner, none), listener, Duration.ofMinutes(10));
  }

  @Test
  void downloadsGo12212FromTheRealProxyVerifiedByTheRealChecksumDatabase() throws Exception {
    RecordingListener events = new RecordingListener();
    ToolchainStore store = store(events);

    assertEquals(GoVersion.parse("go1.22.12"), store.resolve("1.22"));
    boolean cached = Files.isDirectory(CACHE.resolve("go1.22.12.linux-amd64"));
    Toolchain t = store.provide("1.22");

    String zip = ZIP;
    assertEquals(zip, t.sourceUrl());
    assertEquals(CACHE.resolve("go1.22.12.linux-amd64"), t.goroot());
    assertTrue(t.archiveSha256().matches("[0-9a-f]{64}"), t.archiveSha256());
    if (cached) {
      // Verified when it was downloaded into this cache; now it must come from there.
      assertTrue(
          events.events.stream().noneMatch(e -> e.startsWith("downloading")),
          events.events::toString);
      assertTrue(
          events.events.stream().noneMatch(e -> e.startsWith("verified")), events.events::toString);
    } else {
      assertDownloadVerified(events, zip);
    }
    // The real checksum database still has this zip's hash: asked directly, proven in its tree.
    SumDb.Answer answer =
        new SumDb(
                SumDb.Config.parse("sum.golang.org"),
                List.of(java.net.URI.create("https://proxy.golang.org/")),
                new Http(Duration.ofMinutes(1)),
                CACHE.resolve("sumdb"))
            .lookup("golang.org/toolchain", "v0.0.1-go1.22.12.linux-amd64");
    assertEquals(REAL_H1, answer.h1());
    assertTrue(answer.treeSize() > 0);
    assertBuildsAndRuns(t);
  }

  /** The events of a download from the real proxy verified by the real checksum database. */
  private static void assertDownloadVerified(RecordingListener events, String zip) {
    assertTrue(
        events.any("verified " + zip + " " + REAL_H1 + " from sum.golang.org (record "),
        events.events::toString);
    assertTrue(
        events.events.stream()
            .anyMatch(
                e ->
                    e.startsWith("verified " + zip)
                        && e.contains(" proven in the signed tree of size ")),
        events.events::toString);
    assertTrue(
        events.any("resolved 1.22 -> go1.22.12 from https://proxy.golang.org/"),
        events.events::toString);
  }

  /** The toolchain builds and runs a program; the zip's other records are one history. */
  private void assertBuildsAndRuns(Toolchain t) throws Exception {
    // The toolchain builds and runs a program: its tools are executable and its std go.mod
    // files are in place.
    Path src = Files.createDirectories(tmp.resolve("hello"));
    Files.writeString(src.resolve("go.mod"), "module example.com/hello\n\ngo 1.22\n");
    Files.writeString(
        src.resolve("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from go1.22.12\") }\n");
    Map<String, String> env = new HashMap<>();
    env.put("HOME", System.getProperty("user.home"));
    env.put("PATH", "/usr/bin:/bin");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "-mod=mod");
    env.put("CGO_ENABLED", "0");
    ProcessRunner.ExecResult build =
        runner.run(
            List.of(t.goCommand().toString(), "build", "-o", "hello", "."),
            src,
            env,
            Duration.ofMinutes(5));
    assertTrue(build.ok(), build.tail(10));
    ProcessRunner.ExecResult version =
        runner.run(
            List.of(t.goCommand().toString(), "version", src.resolve("hello").toString()),
            src,
            env,
            Duration.ofMinutes(1));
    assertTrue(version.stdout().contains(": go1.22.12"), version.stdout() + version.stderr());

    // Another record, answered with a tree head of another size: that tree and the one
    // remembered above must be one history, proven from the real tiles.
    Path latest = CACHE.resolve("sumdb/sum.golang.org/latest");
    String before = Files.readString(latest);
    SumDb.Answer other =
        new SumDb(
                SumDb.Config.parse("sum.golang.org"),
                List.of(java.net.URI.create("https://proxy.golang.org/")),
                new Http(Duration.ofMinutes(1)),
                CACHE.resolve("sumdb"))
            .lookup("golang.org/toolchain", "v0.0.1-go1.23.4.linux-amd64");
    assertEquals("h1:3fR1BkR9KVNjB0JJJvAaW1hPYsK5cgcI2/c5QWVViuQ=", other.h1());
    long sizeBefore = Long.parseLong(before.split("\n")[1]);
    long sizeAfter = Long.parseLong(Files.readString(latest).split("\n")[1]);
    assertEquals(Math.max(sizeBefore, other.treeSize()), sizeAfter);

    // Asked again, even by a fresh store, it comes from the cache without a download.
    RecordingListener second = new RecordingListener();
    assertEquals(t, store(second).provide("go1.22.12"));
    assertTrue(second.events.stream().noneMatch(e -> e.startsWith("downloading")));
  }
}
