package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.testing.GoFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstalledToolchainsTest {

  private final ProcessRunner runner = new CommonsExecProcessRunner();

  @TempDir Path tmp;

  private ToolchainSettings.Builder isolated() throws IOException {
    Path home = Files.createDirectories(tmp.resolve("home"));
    return ToolchainSettings.builder()
        .home(home)
        .environment(Map.of("PATH", "/usr/bin:/bin", "GOMODCACHE", tmp.resolve("mod").toString()))
        .cacheDir(tmp.resolve("cache"));
  }

  /** A GOROOT holding a copy of Go 1.21's go command and, optionally, a VERSION file. */
  private Path fakeGoroot(Path dir, boolean withVersionFile) throws IOException {
    GoFixtures.requireGo(GoFixtures.GO_1_21);
    Files.createDirectories(dir.resolve("bin"));
    Files.copy(GoFixtures.GO_1_21.resolve("bin/go"), dir.resolve("bin/go"));
    if (withVersionFile) {
      Files.copy(GoFixtures.GO_1_21.resolve("VERSION"), dir.resolve("VERSION"));
    }
    return dir;
  }

  private String goVersion(Toolchain t) throws IOException {
    ProcessRunner.ExecResult r =
        runner.run(
            List.of(t.goCommand().toString(), "version"),
            tmp,
            Map.of("GOTOOLCHAIN", "local", "HOME", tmp.toString()),
            Duration.ofSeconds(60));
    assertTrue(r.ok(), r.tail(5));
    return r.stdout().strip();
  }

  @Test
  void findsDebianToolchainsByExactVersionInEitherForm() throws Exception {
    GoFixtures.requireGo(GoFixtures.GO_1_22);
    InstalledToolchains installed = new InstalledToolchains(isolated().build(), runner);

    Toolchain t = installed.provide("1.22.12");
    assertEquals(GoVersion.parse("go1.22.12"), t.version());
    assertEquals(GoFixtures.GO_1_22.toRealPath(), t.goroot());
    assertEquals("installed: /usr/lib/go-1.22 (Debian)", t.origin());
    assertNull(t.sourceUrl());
    assertNull(t.archiveSha256());
    assertTrue(goVersion(t).startsWith("go version go1.22.12 "), goVersion(t));

    assertEquals(t, installed.provide("go1.22.12"));
  }

  @Test
  void goOnPathIsFollowedThroughSymlinksToItsGoroot() throws Exception {
    GoFixtures.requireGo(GoFixtures.GO_1_22);
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("go"), GoFixtures.GO_1_22.resolve("bin/go"));
    ToolchainSettings s =
        isolated().environment(Map.of("PATH", bin + ":/usr/bin", "GOMODCACHE", "/none")).build();

    Toolchain t = new InstalledToolchains(s, runner).provide("1.22.12");
    assertEquals("installed: /usr/lib/go-1.22 (PATH)", t.origin());
    assertEquals(GoFixtures.GO_1_22, t.goroot());
  }

  @Test
  void aWrapperOnPathIsAskedForItsGoroot() throws Exception {
    GoFixtures.requireGo(GoFixtures.GO_1_22);
    Path bin = Files.createDirectories(tmp.resolve("shims/bin"));
    Path wrapper = bin.resolve("go");
    Files.writeString(
        wrapper, "#!/bin/sh\nexec " + GoFixtures.GO_1_22.resolve("bin/go") + " \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    ToolchainSettings s =
        isolated()
            .environment(Map.of("PATH", bin + ":/usr/bin:/bin", "GOMODCACHE", "/none"))
            .build();

    Toolchain t = new InstalledToolchains(s, runner).provide("1.22.12");
    assertEquals("installed: /usr/lib/go-1.22 (PATH)", t.origin());
  }

  @Test
  void explicitGorootComesFirst() throws Exception {
    GoFixtures.requireGo(GoFixtures.GO_1_21);
    ToolchainSettings s = isolated().goroot(GoFixtures.GO_1_21).build();
    InstalledToolchains installed = new InstalledToolchains(s, runner);

    Toolchain t = installed.provide("go1.21.13");
    assertEquals("installed: /usr/lib/go-1.21 (rebuild.goroot)", t.origin());
    assertEquals(t, installed.discover().get(0));
  }

  @Test
  void versionComesFromGoEnvWhenVersionFileIsMissing() throws Exception {
    Path root = fakeGoroot(tmp.resolve("custom-go"), false);
    ToolchainSettings s = isolated().extraGoroots(List.of(root)).build();
    InstalledToolchains installed = new InstalledToolchains(s, runner);

    Path real = root.toRealPath();
    Toolchain t =
        installed.discover().stream()
            .filter(x -> x.goroot().equals(real))
            .findFirst()
            .orElseThrow();
    assertEquals(GoVersion.parse("go1.21.13"), t.version());
    assertEquals("installed: " + root.toRealPath() + " (configured toolchain)", t.origin());
  }

  @Test
  void findsSdkAndModuleCacheToolchains() throws Exception {
    ToolchainSettings.Builder b = isolated();
    ToolchainSettings s = b.build();
    Path sdk = fakeGoroot(s.home().resolve("sdk/go1.21.13"), true);
    Path mod =
        fakeGoroot(
            s.moduleCache().resolve("golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64"), true);
    // A toolchain for another platform in the module cache is not one this machine runs.
    fakeGoroot(s.moduleCache().resolve("golang.org/toolchain@v0.0.1-go1.21.13.linux-arm64"), true);

    List<Toolchain> found = new InstalledToolchains(s, runner).discover();
    List<String> origins = found.stream().map(Toolchain::origin).toList();
    assertTrue(origins.contains("installed: " + sdk.toRealPath() + " (~/sdk)"), origins::toString);
    assertTrue(
        origins.contains("installed: " + mod.toRealPath() + " (module cache)"), origins::toString);
    assertTrue(origins.stream().noneMatch(o -> o.contains("linux-arm64")), origins::toString);
  }

  @Test
  void gomodcacheFallsBackToGopathThenHome() throws Exception {
    ToolchainSettings s = isolated().environment(Map.of("GOPATH", "/g1:/g2")).build();
    assertEquals(Path.of("/g1/pkg/mod"), s.moduleCache());
    ToolchainSettings t = isolated().environment(Map.of()).build();
    assertEquals(t.home().resolve("go/pkg/mod"), t.moduleCache());
  }

  @Test
  void notFoundListsEveryToolchainAndHowToGetTheWantedOne() throws Exception {
    GoFixtures.requireGo(GoFixtures.GO_1_21);
    GoFixtures.requireGo(GoFixtures.GO_1_22);
    ToolchainSettings s = isolated().extraGoroots(List.of(tmp.resolve("nowhere"))).build();
    ToolchainException e =
        assertThrows(
            ToolchainException.class, () -> new InstalledToolchains(s, runner).provide("1.20.14"));
    String m = e.getMessage();
    assertTrue(m.contains("go1.20.14 for linux/amd64 is not installed"), m);
    assertTrue(m.contains("go1.21.13  installed: /usr/lib/go-1.21 (Debian)"), m);
    assertTrue(m.contains("go1.22.12  installed: /usr/lib/go-1.22 (Debian)"), m);
    assertTrue(m.contains("configured toolchain " + tmp.resolve("nowhere") + " is not a Go"), m);
    assertTrue(m.contains("-Dgo=<version>"), m);
    assertTrue(m.contains("point rebuild.goroot"), m);
    assertTrue(m.contains("apt-get install golang-1.20-go"), m);
  }

  @Test
  void anExplicitGorootWithoutGoIsRefusedEvenWhenTheVersionIsInstalled() throws Exception {
    GoFixtures.requireGo(GoFixtures.GO_1_22);
    ToolchainSettings s = isolated().goroot(tmp.resolve("typo")).build();
    ToolchainException e =
        assertThrows(
            ToolchainException.class, () -> new InstalledToolchains(s, runner).provide("1.22.12"));
    assertTrue(
        e.getMessage().contains("rebuild.goroot " + tmp.resolve("typo") + " is not a Go"),
        e.getMessage());
    ToolchainException viaStore =
        assertThrows(
            ToolchainException.class,
            () -> new ToolchainStore(s, runner, ToolchainListener.NONE).provide("1.22.12"));
    assertEquals(e.getMessage(), viaStore.getMessage());
  }

  @Test
  void aReleaseLineIsNotAnExactVersion() throws Exception {
    InstalledToolchains installed = new InstalledToolchains(isolated().build(), runner);
    ToolchainException e = assertThrows(ToolchainException.class, () -> installed.provide("1.22"));
    assertTrue(e.getMessage().contains("give an exact version"), e.getMessage());
    ToolchainException bad =
        assertThrows(ToolchainException.class, () -> installed.provide("one.two"));
    assertTrue(bad.getMessage().contains("use a form like 1.22.12"), bad.getMessage());
  }
}
