package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_21;
import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.demoRepository;
import static dev.rebuild.core.testing.GoFixtures.git;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.PackageStage;
import dev.rebuild.core.testing.RecordingReleaseListener;
import dev.rebuild.core.toolchain.InstalledToolchains;
import dev.rebuild.core.toolchain.ToolchainSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a real git repository with real Go toolchains. */
class ReleasePipelineTest {

  @TempDir static Path shared;
  static Path repo;
  static String tagCommit;
  static Path go121;
  static Path go122;

  @BeforeAll
  static void repository() throws Exception {
    go121 = requireGo(GO_1_21);
    go122 = requireGo(GO_1_22);
    repo = shared.resolve("repo");
    tagCommit = demoRepository(repo);
    // An uncommitted change in the user's checkout: the rebuild is from the tag and ignores it.
    Files.writeString(repo.resolve("cmd/greet/main.go"), "package main // dirty, does not compile");
  }

  static Recipe recipe(String targets, ArchiveSpec archive) {
    return new Recipe(
        null,
        Platform.parseList(targets),
        List.of(),
        NameTemplate.parse("-X main.version={version}", NameTemplate.RELEASE_PLACEHOLDERS),
        List.of(),
        false,
        List.of(),
        new TreeMap<>(Map.of("CGO_ENABLED", "0")),
        archive);
  }

  static ReleasePipeline pipeline(List<String> log) {
    // The toolchains the pipeline sees: the pinned Go 1.22 as rebuild.goroot, the pinned Go 1.21
    // as a configured one (and whatever this machine has installed).
    ToolchainSettings settings =
        ToolchainSettings.builder().goroot(go122).extraGoroots(List.of(go121)).build();
    return RecordingReleaseListener.pipeline(settings, log);
  }

  static final ArchiveSpec NSQ_STYLE =
      ArchiveSpec.parse(
          "{project}-{version}.{os}-{arch}.go{goVersion}",
          "tar.gz",
          Map.of("windows", "zip"),
          "{name}/bin");

  @Test
  void rebuildsTheTagWithTheRequestedGoAndAnIndependentReaderAgrees(@TempDir Path out)
      throws Exception {
    String before = Files.readString(repo.resolve("cmd/greet/main.go"));
    List<String> log = new ArrayList<>();
    RebuildResult result =
        pipeline(log)
            .release(
                new RebuildRequest(
                    repo.toString(),
                    "v1.0.0",
                    GO_1_22,
                    recipe("linux/amd64,windows/amd64", NSQ_STYLE),
                    out,
                    2));

    Path dist = out.resolve("v1.0.0/dist");
    assertEquals(
        List.of(
            "demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz",
            "demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip"),
        Files.list(dist).map(p -> p.getFileName().toString()).sorted().toList());
    // LC_ALL=C: sha256sum says "OK" in the C locale only (Turkish: "Tamam").
    assertTrue(
        run(dist, Map.of("LC_ALL", "C"), "sha256sum", "-c", "../SHA256SUMS").contains("zip: OK"));
    assertTrue(log.contains("done linux/amd64 2"), log.toString());
    // Committed: no staging left, and no publish record where nothing was published.
    assertEquals(
        List.of(".lock", "SHA256SUMS", "dist", "rebuild-manifest.json", "src", "work"),
        Files.list(out.resolve("v1.0.0")).map(p -> p.getFileName().toString()).sorted().toList());

    Path x = Files.createDirectories(out.resolve("x"));
    run(
        x,
        Map.of(),
        "tar",
        "xzf",
        dist.resolve("demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz").toString());
    run(
        x,
        Map.of(),
        "python3",
        "-m",
        "zipfile",
        "-e",
        dist.resolve("demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip").toString(),
        ".");
    for (String bin :
        List.of(
            "demo-1.0.0.linux-amd64.go" + GO_1_22 + "/bin/hello",
            "demo-1.0.0.linux-amd64.go" + GO_1_22 + "/bin/greet",
            "demo-1.0.0.windows-amd64.go" + GO_1_22 + "/bin/hello.exe",
            "demo-1.0.0.windows-amd64.go" + GO_1_22 + "/bin/greet.exe")) {
      String m = run(x, Map.of(), go122.resolve("bin/go").toString(), "version", "-m", bin);
      assertTrue(m.startsWith(bin + ": go" + GO_1_22 + "\n"), m);
      assertTrue(m.contains("\tbuild\tvcs.revision=" + tagCommit + "\n"), m);
      assertTrue(m.contains("\tbuild\tvcs.modified=false\n"), m);
      assertTrue(
          m.contains("\tbuild\tGOOS=" + (bin.contains("windows") ? "windows" : "linux") + "\n"), m);
      assertTrue(m.contains("\tbuild\tGOARCH=amd64\n"), m);
    }
    String hello =
        run(
            x,
            Map.of(),
            x.resolve("demo-1.0.0.linux-amd64.go" + GO_1_22 + "/bin/hello").toString());
    assertEquals("hello 1.0.0 (at the tag)\n", hello);

    ReleaseManifest m = result.manifest();
    assertEquals(tagCommit, m.commit());
    assertEquals("2024-03-01T12:00:00Z", m.commitTime());
    assertEquals("go" + GO_1_22, m.go().version());
    assertEquals("demo", m.project());
    assertTrue(
        m.artifacts().stream()
            .flatMap(a -> a.binaries().stream())
            .allMatch(
                b -> b.goVersion().equals("go" + GO_1_22) && b.vcsRevision().equals(tagCommit)));
    String json = Files.readString(out.resolve("v1.0.0/rebuild-manifest.json"));
    assertTrue(json.contains("\"sha256\" : \"" + m.artifacts().get(0).sha256() + "\""), json);

    byte[] firstZip =
        Files.readAllBytes(dist.resolve("demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip"));
    byte[] firstTar =
        Files.readAllBytes(dist.resolve("demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz"));
    byte[] firstManifest = Files.readAllBytes(out.resolve("v1.0.0/rebuild-manifest.json"));
    pipeline(new ArrayList<>())
        .release(
            new RebuildRequest(
                repo.toString(),
                "v1.0.0",
                "go" + GO_1_22,
                recipe("linux/amd64,windows/amd64", NSQ_STYLE),
                out,
                1));
    assertArrayEquals(
        firstZip,
        Files.readAllBytes(dist.resolve("demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip")));
    assertArrayEquals(
        firstTar,
        Files.readAllBytes(dist.resolve("demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz")));
    assertArrayEquals(
        firstManifest, Files.readAllBytes(out.resolve("v1.0.0/rebuild-manifest.json")));

    assertEquals(
        before, Files.readString(repo.resolve("cmd/greet/main.go")), "user's checkout changed");
    assertTrue(git(repo, "status", "--porcelain").contains(" M cmd/greet/main.go"));
  }

  @Test
  void secretsInTheEnvironmentOrTheRecipeAreWrittenNowhere(@TempDir Path out) throws Exception {
    String envToken = "ghp_" + "E".repeat(36);
    String awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    String recipeToken = "ghp_" + "R".repeat(36);
    String password = "hunter2-s3cret";
    String shaped = "github_pat_" + "S".repeat(30);
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.put("GITHUB_TOKEN", envToken);
    environment.put("AWS_SECRET_ACCESS_KEY", awsSecret);
    TreeMap<String, String> env = new TreeMap<>();
    env.put("CGO_ENABLED", "0");
    env.put("GITHUB_TOKEN", recipeToken);
    env.put("GOPRIVATE", "https://bob:" + password + "@git.example.com/private");
    // Recorded (it changes a cgo build), but a token-shaped value in it is not.
    env.put("CGO_CFLAGS", "-DBUILD_TOKEN=" + shaped);
    Recipe base = recipe("linux/amd64", NSQ_STYLE);
    Recipe recipe =
        new Recipe(
            base.projectName(),
            base.targets(),
            base.packages(),
            base.ldflags(),
            base.buildTags(),
            base.trimpath(),
            base.buildFlags(),
            env,
            base.archive());
    List<String> log = new ArrayList<>();
    ToolchainSettings settings =
        ToolchainSettings.builder().goroot(go122).extraGoroots(List.of(go121)).build();
    RebuildResult result =
        new ReleasePipeline(
                new CommonsExecProcessRunner(),
                new InstalledToolchains(settings, new CommonsExecProcessRunner()),
                new BuildInfoInspector(),
                environment,
                new RecordingReleaseListener(log))
            .release(new RebuildRequest(repo.toString(), "v1.0.0", GO_1_22, recipe, out, 2));

    assertEquals(
        Map.of("CGO_ENABLED", "0", "CGO_CFLAGS", "-DBUILD_TOKEN=<redacted>"),
        result.manifest().recipe().env());
    assertTrue(
        log.contains(
            "<env> GITHUB_TOKEN, GOPRIVATE: given to go build, not recorded in the manifest (they"
                + " do not change a Go build)"),
        log.toString());
    List<String> secrets = List.of(envToken, awsSecret, recipeToken, password, shaped);
    for (String line : log) {
      for (String secret : secrets) {
        assertFalse(line.contains(secret), "the log shows a secret: " + line);
      }
    }
    try (var files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
          assertFalse(text.contains(secret), f + " holds a secret");
        }
      }
    }
  }

  @Test
  void bareBinariesAreNamedByTarget(@TempDir Path out) throws Exception {
    pipeline(new ArrayList<>())
        .release(
            new RebuildRequest(
                repo.toString(), "v1.0.0", GO_1_22, recipe("linux/arm64", null), out, 1));
    assertEquals(
        List.of("greet-linux-arm64", "hello-linux-arm64"),
        Files.list(out.resolve("v1.0.0/dist"))
            .map(p -> p.getFileName().toString())
            .sorted()
            .toList());
  }

  @Test
  void unknownTagNamesTheClosestTags(@TempDir Path out) {
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                pipeline(new ArrayList<>())
                    .release(
                        new RebuildRequest(
                            repo.toString(),
                            "v1.0",
                            GO_1_22,
                            recipe("linux/amd64", null),
                            out,
                            1)));
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertEquals("tag", e.parameter());
    assertTrue(e.getMessage().contains("closest existing tags: v1.0.0, v0.9.0"), e.getMessage());
  }

  @Test
  void missingGoListsTheToolchainsFound(@TempDir Path out) throws Exception {
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                pipeline(new ArrayList<>())
                    .release(
                        new RebuildRequest(
                            repo.toString(),
                            "v1.0.0",
                            "1.19.99",
                            recipe("linux/amd64", null),
                            out,
                            1)));
    assertEquals("go", e.parameter());
    assertTrue(e.getMessage().contains("go" + GO_1_22), e.getMessage());
    assertTrue(e.getMessage().contains(go121.toRealPath().toString()), e.getMessage());
    assertFalse(Files.exists(out.resolve("v1.0.0/dist")));
  }

  @Test
  void aTargetThatDoesNotCompileShowsGoErrorAndWritesNoChecksums(@TempDir Path dir)
      throws Exception {
    Path broken = dir.resolve("broken");
    demoRepository(broken);
    git(broken, "checkout", "-q", "v1.0.0");
    Files.writeString(
        broken.resolve("cmd/hello/windows.go"),
        "//go:build windows\n\npackage main\n\nvar broken int = \"not an int\"\n");
    git(broken, "add", "-A");
    git(broken, "commit", "-q", "-m", "breaks windows");
    git(broken, "tag", "v1.0.1");
    Path out = dir.resolve("out");
    List<String> log = new ArrayList<>();
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                pipeline(log)
                    .release(
                        new RebuildRequest(
                            broken.toString(),
                            "v1.0.1",
                            GO_1_22,
                            recipe("linux/amd64,windows/amd64", NSQ_STYLE),
                            out,
                            2)));
    assertEquals(RebuildException.Kind.BUILD_FAILED, e.kind());
    assertTrue(e.getMessage().contains("1 of 2 targets failed"), e.getMessage());
    assertTrue(e.getMessage().contains("windows/amd64"), e.getMessage());
    assertTrue(e.getMessage().contains("windows.go:5"), e.getMessage());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("failed windows/amd64")), log.toString());
    assertFalse(Files.exists(out.resolve("v1.0.1/SHA256SUMS")));
    assertFalse(Files.exists(out.resolve("v1.0.1/rebuild-manifest.json")));
    assertFalse(Files.exists(out.resolve("v1.0.1/dist")));
  }

  @Test
  void unwritableOutputDirectoryIsNamed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                pipeline(new ArrayList<>())
                    .release(
                        new RebuildRequest(
                            repo.toString(),
                            "v1.0.0",
                            GO_1_22,
                            recipe("linux/amd64", null),
                            file.resolve("out"),
                            1)));
    assertEquals("outputDirectory", e.parameter());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void aSourceThatIsNotAGitRepositoryIsRefused(@TempDir Path dir) throws Exception {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () ->
                pipeline(new ArrayList<>())
                    .release(
                        new RebuildRequest(
                            plain.toString(),
                            "v1.0.0",
                            GO_1_22,
                            recipe("linux/amd64", null),
                            dir.resolve("out"),
                            1)));
    assertEquals("source", e.parameter());
    assertTrue(e.getMessage().contains("is not a git repository"), e.getMessage());
  }

  @Test
  void binaryNamesFollowGoBuildRules() {
    assertEquals("nsqd", PackageStage.binaryName("github.com/nsqio/nsq/apps/nsqd"));
    assertEquals("tool", PackageStage.binaryName("example.com/tool/v2"));
    assertEquals("nsq", PackageStage.binaryName("github.com/nsqio/nsq"));
  }
}
