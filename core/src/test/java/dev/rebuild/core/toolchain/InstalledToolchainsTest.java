package dev.rebuild.core.toolchain;

import static dev.rebuild.core.testing.GoFixtures.GO_1_21;
import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
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

  /** Settings that see none of this machine's toolchains: an empty PATH, home and module cache. */
  private ToolchainSettings.Builder isolated() throws IOException {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path emptyBin = Files.createDirectories(tmp.resolve("emptybin"));
    return ToolchainSettings.builder()
        .home(home)
        .environment(
            Map.of("PATH", emptyBin.toString(), "GOMODCACHE", tmp.resolve("mod").toString()))
        .cacheDir(tmp.resolve("cache"));
  }

  /**
   * A root for the system-wide places ({@code /usr/local/go}, {@code /usr/lib/go-*}) holding
   * Debian-style layouts of the given pinned Go versions, instead of this machine's {@code /}.
   */
  private Path system(String... debianVersions) throws IOException {
    Path root = Files.createDirectories(tmp.resolve("system"));
    for (String v : debianVersions) {
      Fixtures.debianGoroot(root, v);
    }
    return root;
  }

  /** A GOROOT holding a copy of Go 1.21's go command and, optionally, a VERSION file. */
  private Path fakeGoroot(Path dir, boolean withVersionFile) throws IOException {
    Path go121 = GoFixtures.requireGo(GoFixtures.GO_1_21);
    Files.createDirectories(dir.resolve("bin"));
    Files.copy(go121.resolve("bin/go"), dir.resolve("bin/go"));
    if (withVersionFile) {
      Files.copy(go121.resolve("VERSION"), dir.resolve("VERSION"));
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
    Path system = system(GoFixtures.GO_1_21, GoFixtures.GO_1_22);
    Path debian = system.resolve("usr/lib/go-1.22").toRealPath();
    InstalledToolchains installed = new InstalledToolchains(isolated().build(), runner, system);

    Toolchain t = installed.provide(GO_1_22);
    assertEquals(GoVersion.parse("go" + GO_1_22), t.version());
    assertEquals(debian, t.goroot());
    assertEquals("installed: " + debian + " (Debian)", t.origin());
    assertNull(t.sourceUrl());
    assertNull(t.archiveSha256());
    assertTrue(goVersion(t).startsWith("go version go" + GO_1_22 + " "), goVersion(t));

    assertEquals(t, installed.provide("go" + GO_1_22));
  }

  @Test
  void goOnPathIsFollowedThroughSymlinksToItsGoroot() throws Exception {
    Path go122 = GoFixtures.requireGo(GO_1_22).toRealPath();
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("go"), go122.resolve("bin/go"));
    ToolchainSettings s =
        isolated().environment(Map.of("PATH", bin + ":/usr/bin", "GOMODCACHE", "/none")).build();

    Toolchain t = new InstalledToolchains(s, runner, system()).provide(GO_1_22);
    assertEquals("installed: " + go122 + " (PATH)", t.origin());
    assertEquals(go122, t.goroot());
  }

  @Test
  void aWrapperOnPathIsAskedForItsGoroot() throws Exception {
    Path go122 = GoFixtures.requireGo(GO_1_22).toRealPath();
    Path bin = Files.createDirectories(tmp.resolve("shims/bin"));
    Path wrapper = bin.resolve("go");
    Files.writeString(wrapper, "#!/bin/sh\nexec " + go122.resolve("bin/go") + " \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    ToolchainSettings s =
        isolated()
            .environment(Map.of("PATH", bin + ":/usr/bin:/bin", "GOMODCACHE", "/none"))
            .build();

    Toolchain t = new InstalledToolchains(s, runner, system()).provide(GO_1_22);
    assertEquals("installed: " + go122 + " (PATH)", t.origin());
  }

  @Test
  void explicitGorootComesFirst() throws Exception {
    Path go121 = GoFixtures.requireGo(GO_1_21);
    ToolchainSettings s = isolated().goroot(go121).build();
    InstalledToolchains installed = new InstalledToolchains(s, runner, system(GO_1_21));

    Toolchain t = installed.provide("go" + GO_1_21);
    assertEquals("installed: " + go121.toRealPath() + " (rebuild.goroot)", t.origin());
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
    assertEquals(GoVersion.parse("go" + GO_1_21), t.version());
    assertEquals("installed: " + root.toRealPath() + " (configured toolchain)", t.origin());
  }

  @Test
  void findsSdkAndModuleCacheToolchains() throws Exception {
    ToolchainSettings.Builder b = isolated();
    ToolchainSettings s = b.build();
    Path sdk = fakeGoroot(s.home().resolve("sdk/go" + GO_1_21), true);
    Path mod =
        fakeGoroot(
            s.moduleCache().resolve("golang.org/toolchain@v0.0.1-go" + GO_1_21 + ".linux-amd64"),
            true);
    // A toolchain for another platform in the module cache is not one this machine runs.
    fakeGoroot(
        s.moduleCache().resolve("golang.org/toolchain@v0.0.1-go" + GO_1_21 + ".linux-arm64"), true);

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
    Path system = system(GO_1_21, GO_1_22);
    Path lib = system.resolve("usr/lib").toRealPath();
    ToolchainSettings s = isolated().extraGoroots(List.of(tmp.resolve("nowhere"))).build();
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> new InstalledToolchains(s, runner, system).provide("1.20.14"));
    String m = e.getMessage();
    assertTrue(m.contains("go1.20.14 for linux/amd64 is not installed"), m);
    assertTrue(m.contains("go" + GO_1_21 + "  installed: " + lib + "/go-1.21 (Debian)"), m);
    assertTrue(m.contains("go" + GO_1_22 + "  installed: " + lib + "/go-1.22 (Debian)"), m);
    assertTrue(m.contains("configured toolchain " + tmp.resolve("nowhere") + " is not a Go"), m);
    assertTrue(m.contains("-Dgo=<version>"), m);
    assertTrue(m.contains("point rebuild.goroot"), m);
    assertTrue(m.contains("apt-get install golang-1.20-go"), m);
  }

  @Test
  void anExplicitGorootWithoutGoIsRefusedEvenWhenTheVersionIsInstalled() throws Exception {
    Path system = system(GO_1_22);
    ToolchainSettings s = isolated().goroot(tmp.resolve("typo")).build();
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> new InstalledToolchains(s, runner, system).provide(GO_1_22));
    assertTrue(
        e.getMessage().contains("rebuild.goroot " + tmp.resolve("typo") + " is not a Go"),
        e.getMessage());
    ToolchainException viaStore =
        assertThrows(
            ToolchainException.class,
            () ->
                new ToolchainStore(
                        s,
                        new InstalledToolchains(s, runner, system),
                        ToolchainListener.NONE,
                        Duration.ofSeconds(60))
                    .provide(GO_1_22));
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
