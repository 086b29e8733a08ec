package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.git;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.BuildInfoReader;
import dev.rebuild.core.buildinfo.GoBuildInfoModel;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.Verification;
import dev.rebuild.core.release.Verification.BinaryReport;
import dev.rebuild.core.stage.OriginalRelease;
import dev.rebuild.core.stage.VerificationSettings;
import dev.rebuild.core.stage.VerifyStage;
import dev.rebuild.core.toolchain.Toolchain;
import dev.rebuild.core.toolchain.ToolchainListener;
import dev.rebuild.core.toolchain.ToolchainSettings;
import dev.rebuild.core.toolchain.ToolchainStore;
import dev.rebuild.core.verify.BuildComparison;
import dev.rebuild.core.vuln.FailOn;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Equal to the original but for Go" across real Go releases: originals built with every Go minor
 * from 1.17 to the newest but one, for five platforms, from a tagged clone and from a commit before
 * its tag, rebuilt through the whole pipeline with the newest Go and with the oldest supported one:
 * no difference may be reported. The mutation half builds originals that differ from the recipe in
 * one thing each and expects the rebuild to be refused, naming that field.
 *
 * <p>The toolchains come through the project's own download (module proxy, checksum database) into
 * the user's toolchain cache, so a second run downloads nothing; builds share the user's GOCACHE.
 * Tagged {@code matrix}: {@code mvn -pl core test -Pgo-matrix} (about 15 minutes cold on 2 cores, a
 * few minutes warm); {@code .ci/run} runs it, {@code mvn verify} does not.
 */
@Tag("matrix")
class GoVersionMatrixTest {

  static final String TARGETS = "linux/amd64,linux/arm64,linux/arm/7,windows/amd64,darwin/arm64";
  static final String LDFLAGS = "-s -w -X main.version=1.0.0";
  static final ArchiveSpec ARCHIVE =
      ArchiveSpec.parse(
          "demo-{version}.{os}-{arch}.go{goVersion}", "tar.gz", Map.of(), "{name}/bin");
  static final Path VULNDB = Path.of("src/test/resources/vulndb-fixture").toAbsolutePath();

  @TempDir static Path work;

  static ToolchainStore store;
  static final List<Toolchain> originals = new ArrayList<>();
  static Toolchain newest;
  static Toolchain oldestSupported;
  static Path repo;
  static String commit;
  static Path untagged;
  static Path tagged;
  static Path taggedClone;
  static Path gocache;
  static Path gomodcache;

  @BeforeAll
  static void toolchainsAndOriginals() throws Exception {
    ToolchainSettings settings = ToolchainSettings.fromSystem();
    store =
        new ToolchainStore(
            settings,
            new CommonsExecProcessRunner(),
            new ToolchainListener() {
              @Override
              public void installed(Toolchain t) {
                System.out.println("[matrix] installed " + t.version() + " from " + t.sourceUrl());
              }
            });
    // The newest patch of every minor, from the module proxy's list of golang.org/toolchain
    // versions (for Go before 1.21, -Dgo=1.18 names go1.18 itself, so the store is asked for
    // exact versions).
    Map<Integer, GoVersion> newestPatch = newestPatchPerMinor();
    int newestMinor = newestPatch.keySet().stream().max(Integer::compare).orElseThrow();
    assertEquals(store.resolve("latest"), newestPatch.get(newestMinor), "the store's latest");
    for (int minor = 17; minor < newestMinor; minor++) {
      GoVersion v = newestPatch.get(minor);
      assertNotNull(v, "no Go 1." + minor + " release listed by " + proxy());
      originals.add(provide(v.toString()));
    }
    newest = provide(newestPatch.get(newestMinor).toString());
    oldestSupported = provide(newestPatch.get(newestMinor - 1).toString());
    Path cache = Path.of(goEnv(newest, "GOCACHE"));
    gomodcache = Path.of(goEnv(newest, "GOMODCACHE"));
    gocache = cache;

    repo = Files.createDirectories(work.resolve("repo"));
    Files.createDirectories(repo.resolve("cmd/hello"));
    Files.writeString(
        repo.resolve("go.mod"),
        "module example.com/demo\n\ngo 1.17\n\nrequire github.com/google/uuid v1.5.0\n");
    Files.writeString(
        repo.resolve("cmd/hello/main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/google/uuid\"\n)\n\n"
            + "var version = \"dev\"\n\nfunc main() {\n"
            + "\tfmt.Println(\"hello\", version, uuid.NewSHA1(uuid.NameSpaceURL, []byte(\"x\")))\n}\n");
    // go.sum from the module proxy, with the newest Go; the older ones then build offline.
    go(newest, repo, Map.of("GOPROXY", proxy()), "mod", "tidy");
    go(
        newest,
        repo,
        Map.of("GOPROXY", proxy()),
        "mod",
        "download",
        "github.com/google/uuid@v1.6.0");
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "demo 1.0.0");
    commit = git(repo, "rev-parse", "HEAD").trim();

    // A release script that ran before the tag was pushed: Go 1.24+ stamps a pseudo-version.
    Path untaggedClone = clone("untagged-clone");
    untagged = Files.createDirectories(work.resolve("originals-untagged"));
    for (Toolchain t : originals) {
      buildOriginals(t, untaggedClone, untagged);
    }
    git(repo, "tag", "-a", "v1.0.0", "-m", "release 1.0.0");
    taggedClone = clone("tagged-clone");
    tagged = Files.createDirectories(work.resolve("originals-tagged"));
    for (Toolchain t : originals) {
      buildOriginals(t, taggedClone, tagged);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyOriginalEqualsItsRebuildButForGo() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Toolchain rebuildGo : List.of(newest, oldestSupported)) {
      for (String variant : List.of("tagged", "untagged")) {
        for (Toolchain original : originals) {
          tests.add(
              dynamicTest(
                  original.version() + " (" + variant + ") rebuilt with " + rebuildGo.version(),
                  () -> equalButForGo(original, rebuildGo, variant)));
        }
      }
    }
    return tests.stream();
  }

  void equalButForGo(Toolchain original, Toolchain rebuildGo, String variant) throws Exception {
    Path dir = variant.equals("tagged") ? tagged : untagged;
    RebuildResult result =
        pipeline(dir, original.version())
            .release(request(TARGETS, rebuildGo, work.resolve("out-" + rebuildGo.version())));
    GoVersion og = original.version();
    List<BinaryReport> binaries = result.manifest().verification().binaries();
    assertEquals(5, binaries.size(), binaries::toString);
    for (BinaryReport b : binaries) {
      assertEquals(og.toString(), b.originalGo(), b.path());
      assertTrue(b.checks().stream().allMatch(Verification.Check::passed), b::toString);
      List<BuildComparison.Difference> failures =
          b.differences().stream().filter(d -> d.kind() == BuildComparison.Kind.FAILURE).toList();
      assertEquals(List.of(), failures, b.path());
      if (!GoBuildInfoModel.recordsSettings(og)) {
        assertNotNull(b.notComparable(), b.path());
        assertTrue(b.notComparable().startsWith("not comparable: original built with " + og));
      } else {
        assertNull(b.notComparable(), b.path());
      }
      BuildComparison.Difference module = field(b, "main module");
      boolean pseudo = variant.equals("untagged") && GoBuildInfoModel.stampsModuleVersion(og);
      if (!GoBuildInfoModel.stampsModuleVersion(og)) {
        assertNotNull(module, b.path());
        assertEquals("example.com/demo@(devel)", module.original());
        assertEquals(BuildComparison.Kind.EXPECTED, module.kind());
        assertTrue(module.reason().startsWith("expected with go1.24"), module.reason());
      } else if (pseudo) {
        assertNotNull(module, b.path());
        assertTrue(module.original().contains("-" + commit.substring(0, 12)), module.original());
        assertTrue(module.reason().contains("before its tag"), module.reason());
      } else {
        assertNull(module, b.path());
      }
      if (b.path().contains("arm64")
          && og.compareTo(GoVersion.parse("1.23")) < 0
          && GoBuildInfoModel.recordsSettings(og)) {
        BuildComparison.Difference arm64 = field(b, "setting GOARM64");
        assertNotNull(arm64, b.path());
        assertTrue(arm64.reason().startsWith("expected with go1.23"), arm64.reason());
      }
    }
    // The independent reader agrees with ours on the originals' main module version.
    Path bin = extractLinuxAmd64(dir, og);
    String m = run(work, Map.of(), newest.goCommand().toString(), "version", "-m", bin.toString());
    BuildInfo ours = read(bin);
    assertTrue(
        m.contains("\tmod\texample.com/demo\t" + ours.main().version()), () -> m + "\n" + ours);
  }

  /** One way an original can differ from the recipe, and the field the refusal must name. */
  record Mutation(String name, List<String> flags, Map<String, String> env, boolean bumpDep) {}

  static final List<Mutation> MUTATIONS =
      List.of(
          new Mutation("ldflags", List.of("-ldflags", "-s -X main.version=1.0.0"), Map.of(), false),
          new Mutation("tags", List.of("-ldflags", LDFLAGS, "-tags", "netgo"), Map.of(), false),
          new Mutation("trimpath", List.of("-ldflags", LDFLAGS, "-trimpath"), Map.of(), false),
          new Mutation("cgo", List.of("-ldflags", LDFLAGS), Map.of("CGO_ENABLED", "1"), false),
          new Mutation("goamd64", List.of("-ldflags", LDFLAGS), Map.of("GOAMD64", "v3"), false),
          new Mutation("dependency", List.of("-ldflags", LDFLAGS), Map.of(), true));

  @TestFactory
  Stream<DynamicTest> everyRecipeDifferenceIsCaught() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Toolchain original : originals) {
      tests.add(
          dynamicTest(
              original.version() + " mutations rebuilt with " + newest.version(),
              () -> mutations(original)));
    }
    return tests.stream();
  }

  void mutations(Toolchain original) throws Exception {
    GoVersion og = original.version();
    for (Mutation mutation : MUTATIONS) {
      Path dir = Files.createDirectories(work.resolve("mut-" + og + "-" + mutation.name()));
      Path src = taggedClone;
      Map<String, String> env = new HashMap<>(mutation.env());
      List<String> flags = new ArrayList<>(mutation.flags());
      if (mutation.bumpDep()) {
        src = clone("bumped-" + og);
        go(newest, src, Map.of("GOPROXY", proxy()), "get", "github.com/google/uuid@v1.6.0");
        if (GoBuildInfoModel.recordsSettings(og)) {
          flags.add("-buildvcs=false"); // the bumped go.mod is not committed
        }
      }
      Platform platform = Platform.parse("linux/amd64");
      buildOriginal(original, src, dir, platform, flags, env);
      String field = expectedField(mutation, og);
      RecipeRun run =
          () -> pipeline(dir, og).release(request("linux/amd64", newest, work.resolve("mut-out")));
      if (field == null) {
        // The original's Go records too little: the rebuild goes through, and says so.
        RebuildResult r = run.release();
        BinaryReport b = r.manifest().verification().binaries().get(0);
        if (!GoBuildInfoModel.recordsSettings(og)) {
          assertTrue(
              b.notComparable() != null && b.notComparable().contains("original built with " + og),
              mutation + ": " + b);
        } else {
          BuildComparison.Difference trimpath = field(b, "setting -trimpath");
          assertNotNull(trimpath, mutation + ": " + b);
          assertEquals(BuildComparison.Kind.UNKNOWN, trimpath.kind());
        }
        continue;
      }
      RebuildException e = assertThrows(RebuildException.class, run::release, mutation.name());
      assertTrue(
          e.getMessage().contains(": " + field + ":"),
          () -> og + " " + mutation.name() + " should name " + field + ":\n" + e.getMessage());
    }
  }

  interface RecipeRun {
    RebuildResult release() throws Exception;
  }

  /** The field a refusal names; null when the original's Go records too little to tell. */
  static String expectedField(Mutation mutation, GoVersion og) {
    if (mutation.bumpDep()) {
      return "dependency github.com/google/uuid";
    }
    if (!GoBuildInfoModel.recordsSettings(og)) {
      return null;
    }
    return switch (mutation.name()) {
      case "ldflags" -> "setting -ldflags";
      case "tags" -> "setting -tags";
      // go1.18 does not record -trimpath; the -ldflags it then drops give the build away.
      case "trimpath" ->
          GoBuildInfoModel.records(og, "-trimpath")
              ? "setting -trimpath"
              : GoBuildInfoModel.dropsFlagsWithTrimpath(og) ? "setting -ldflags" : null;
      case "cgo" -> "setting CGO_ENABLED";
      case "goamd64" -> "setting GOAMD64";
      default -> throw new IllegalArgumentException(mutation.name());
    };
  }

  static BuildComparison.Difference field(BinaryReport b, String field) {
    return b.differences().stream().filter(d -> d.field().equals(field)).findFirst().orElse(null);
  }

  /** A pipeline and the verification it runs with. */
  record Run(ReleasePipeline pipeline, ReleaseOptions options) {
    RebuildResult release(RebuildRequest request) throws RebuildException {
      return pipeline.release(request, options);
    }
  }

  static Run pipeline(Path originalDir, GoVersion originalGo) {
    ReleaseListener quiet =
        new ReleaseListener() {
          @Override
          public void stage(String name, String detail) {}

          @Override
          public void info(String message) {}

          @Override
          public void targetStarted(Platform platform) {}

          @Override
          public void targetDone(Platform platform, int binaries, Duration took) {}

          @Override
          public void targetFailed(Platform platform, String goOutputTail) {
            System.out.println("[matrix] " + platform + " failed: " + goOutputTail);
          }
        };
    return new Run(
        new ReleasePipeline(
            new CommonsExecProcessRunner(),
            store,
            new BuildInfoInspector(),
            System.getenv(),
            quiet),
        new ReleaseOptions(
            new VerifyStage(
                new VerificationSettings(
                    originalDir.toString(), originalGo.number(), VULNDB.toString(), FailOn.NONE),
                new OriginalRelease(
                    originalDir.toString(), originalGo.number(), HttpClient.newHttpClient())),
            null,
            null,
            false));
  }

  static RebuildRequest request(String targets, Toolchain go, Path out) {
    Recipe recipe =
        new Recipe(
            "demo",
            Platform.parseList(targets),
            List.of(),
            NameTemplate.parse(
                "-s -w -X main.version={version}", NameTemplate.RELEASE_PLACEHOLDERS),
            List.of(),
            false,
            List.of(),
            new TreeMap<>(Map.of("CGO_ENABLED", "0")),
            ARCHIVE);
    return new RebuildRequest(repo.toString(), "v1.0.0", go.version().number(), recipe, out, 2);
  }

  static Toolchain provide(String version) throws Exception {
    long start = System.nanoTime();
    Toolchain t = store.provide(version);
    System.out.printf(
        "[matrix] %s: %s (%d ms)%n",
        t.version(), t.origin(), (System.nanoTime() - start) / 1_000_000);
    return t;
  }

  static void buildOriginals(Toolchain go, Path src, Path into) throws IOException {
    long start = System.nanoTime();
    for (Platform p : Platform.parseList(TARGETS)) {
      buildOriginal(go, src, into, p, List.of("-ldflags", LDFLAGS), Map.of());
    }
    System.out.printf(
        "[matrix] originals built with %s from %s in %d s%n",
        go.version(), src.getFileName(), (System.nanoTime() - start) / 1_000_000_000);
  }

  /** What a release script does: go build per platform, then tar the result. */
  static void buildOriginal(
      Toolchain go,
      Path src,
      Path into,
      Platform p,
      List<String> flags,
      Map<String, String> extraEnv)
      throws IOException {
    String name = "demo-1.0.0." + p.os() + "-" + p.archLabel() + ".go" + go.version().number();
    Path stage = Files.createDirectories(work.resolve("stage").resolve(name));
    Path bin = Files.createDirectories(stage.resolve(name + "/bin"));
    Map<String, String> env = new LinkedHashMap<>(p.environment());
    env.put("CGO_ENABLED", "0");
    env.putAll(extraEnv);
    // Go 1.25+ reads versions it derived earlier from GOMODCACHE/cache/download: sharing one
    // module cache, the tagged originals of go1.25/1.26 here stamped the untagged clone's
    // pseudo-version. Each clone gets its own module cache, fed from the user's without network.
    env.put("GOMODCACHE", work.resolve("modcache-" + src.getFileName()).toString());
    env.put("GOPROXY", gomodcache.resolve("cache/download").toUri().toString());
    env.put("GOSUMDB", "off");
    env.put("GOFLAGS", "-mod=mod -modcacherw");
    List<String> args = new ArrayList<>(List.of("build"));
    args.addAll(flags);
    args.addAll(List.of("-o", bin + "/", "./..."));
    go(go, src, env, args.toArray(String[]::new));
    run(stage, Map.of(), "tar", "-czf", into.resolve(name + ".tar.gz").toString(), name);
  }

  /** Runs {@code go} as a release script would, unaffected by this machine's go env file. */
  static String go(Toolchain go, Path dir, Map<String, String> env, String... args) {
    Map<String, String> all = new HashMap<>();
    all.put("GOENV", "off");
    all.put("GOTOOLCHAIN", "local");
    all.put("GOROOT", go.goroot().toString());
    all.put("GOFLAGS", "-mod=mod");
    all.put("GOOS", "linux");
    all.put("GOARCH", "amd64");
    all.put("GOARM", "");
    all.put("GOAMD64", "");
    all.put("CGO_ENABLED", "0");
    if (gocache != null) {
      all.put("GOCACHE", gocache.toString());
    }
    if (gomodcache != null) {
      all.put("GOMODCACHE", gomodcache.toString());
    }
    all.putAll(env);
    List<String> cmd = new ArrayList<>();
    cmd.add(go.goCommand().toString());
    cmd.addAll(List.of(args));
    return run(dir, all, cmd.toArray(String[]::new));
  }

  static String goEnv(Toolchain go, String key) {
    return go(go, work, Map.of(), "env", key).trim();
  }

  static Map<Integer, GoVersion> newestPatchPerMinor() throws Exception {
    String base = "https://proxy.golang.org";
    for (String p : proxy().split("[,|]")) {
      if (p.startsWith("http")) {
        base = p.replaceAll("/+$", "");
        break;
      }
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    java.net.http.HttpResponse<String> list =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/golang.org/toolchain/@v/list"))
                .timeout(Duration.ofMinutes(1))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, list.statusCode(), "the module proxy's toolchain list " + base);
    Map<Integer, GoVersion> newest = new TreeMap<>();
    for (String line : list.body().split("\n")) {
      String t = line.trim();
      if (t.startsWith("v0.0.1-go") && t.endsWith(".linux-amd64")) {
        GoVersion v =
            GoVersion.parseOrNull(
                t.substring("v0.0.1-".length(), t.length() - ".linux-amd64".length()));
        if (v != null && v.isStable() && v.major() == 1) {
          newest.merge(v.minor(), v, (x, y) -> x.compareTo(y) >= 0 ? x : y);
        }
      }
    }
    return newest;
  }

  static String proxy() {
    String p = System.getenv("GOPROXY");
    return p == null || p.isBlank() ? "https://proxy.golang.org,direct" : p;
  }

  static Path clone(String name) {
    Path to = work.resolve(name);
    git(work, "clone", "-q", repo.toUri().toString(), to.toString());
    return to;
  }

  static Path extractLinuxAmd64(Path dir, GoVersion og) {
    String name = "demo-1.0.0.linux-amd64.go" + og.number();
    Path x = work.resolve("x-" + dir.getFileName() + "-" + og);
    try {
      Files.createDirectories(x);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    run(x, Map.of(), "tar", "-xzf", dir.resolve(name + ".tar.gz").toString());
    return x.resolve(name + "/bin/hello");
  }

  static BuildInfo read(Path binary) throws IOException {
    ReadResult r = BuildInfoReader.read(binary);
    assertTrue(r instanceof ReadResult.GoBinary, () -> binary + ": " + r);
    return ((ReadResult.GoBinary) r).info();
  }
}
