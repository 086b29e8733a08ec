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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.testing.RecordingReleaseListener;
import dev.rebuild.core.toolchain.InstalledToolchains;
import dev.rebuild.core.toolchain.ToolchainSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One release built as parts on "machines" that share nothing but the workspace path (each its own
 * GOCACHE, the tag directory deleted between them, the parts moved away as a CI stash would), then
 * merged: the merge must commit the bytes a single machine commits, and refuse every part that
 * cannot give them, committing nothing.
 */
class PartsMergeTest {

  static final String TAG = "v1.0.0";
  static final List<Platform> PART_A = Platform.parseList("linux/amd64");
  static final List<Platform> PART_B = Platform.parseList("linux/arm64,windows/amd64");

  /** No -trimpath: the binaries embed the checkout path, GOROOT and GOMODCACHE. */
  static final Recipe RECIPE = recipe("-X main.version={version}", false);

  @TempDir static Path shared;
  static Path repo;
  static String tagCommit;
  static Path go121;
  static Path go122;

  /** R: the one-machine run, both parts and the merge use {@code R/v1.0.0/src}. */
  static Path root;

  /** The committed files of the one-machine run into R. */
  static Path oneMachine;

  /** The parts as the merging machine gets them back, away from R. */
  static Path partA;

  static Path partB;

  @BeforeAll
  static void buildOnOneMachineAndAsTwoParts() throws Exception {
    go121 = requireGo(GO_1_21);
    go122 = requireGo(GO_1_22);
    repo = shared.resolve("repo");
    tagCommit = demoRepository(repo);
    root = shared.resolve("R");

    pipeline(Map.of()).release(request(RECIPE, root), plain());
    oneMachine = shared.resolve("one-machine");
    copyCommitted(root.resolve(TAG), oneMachine);
    FileTrees.deleteTree(root.resolve(TAG));

    Path builtA =
        pipeline(Map.of("GOCACHE", shared.resolve("gocache-a").toString()))
            .part(request(RECIPE, root), PART_A);
    assertEquals(root.resolve("parts/" + TAG + "/linux-amd64"), builtA);
    Path stashA = move(builtA, shared.resolve("stash-a"));
    FileTrees.deleteTree(root.resolve(TAG));

    Path builtB =
        pipeline(Map.of("GOCACHE", shared.resolve("gocache-b").toString()))
            .part(request(RECIPE, root), PART_B);
    Path stashB = move(builtB, shared.resolve("stash-b"));

    // Each part's go really had a cache of its own.
    assertTrue(Files.isRegularFile(shared.resolve("gocache-a/README")));
    assertTrue(Files.isRegularFile(shared.resolve("gocache-b/README")));

    Path unstashed = shared.resolve("unstashed");
    partA = move(stashA, unstashed.resolve("linux-amd64"));
    partB = move(stashB, unstashed.resolve("linux-arm64+windows-amd64"));
  }

  @Test
  void mergedPartsAreByteForByteTheOneMachineRelease() throws Exception {
    RebuildResult merged =
        pipeline(Map.of()).merge(List.of(partA, partB), request(RECIPE, root), plain());

    Path tagDir = root.resolve(TAG);
    assertEquals(tagDir.resolve("dist"), merged.dist());
    assertEquals(
        List.of(
            "demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz",
            "demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz.intoto.jsonl",
            "demo-1.0.0.linux-arm64.go" + GO_1_22 + ".tar.gz",
            "demo-1.0.0.linux-arm64.go" + GO_1_22 + ".tar.gz.intoto.jsonl",
            "demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip",
            "demo-1.0.0.windows-amd64.go" + GO_1_22 + ".zip.intoto.jsonl"),
        names(tagDir.resolve("dist")));
    assertSameRelease(oneMachine, tagDir);
    // LC_ALL=C: sha256sum says "OK" in the C locale only.
    String check =
        run(tagDir.resolve("dist"), Map.of("LC_ALL", "C"), "sha256sum", "-c", "../SHA256SUMS");
    assertEquals(6, check.lines().filter(l -> l.endsWith(": OK")).count(), check);

    ReleaseManifest m = merged.manifest();
    assertEquals(tagCommit, m.commit());
    assertEquals("go" + GO_1_22, m.go().version());
    // The part built its targets where the one-machine run did: the path is in the binary.
    String checkout = tagDir.resolve("src").toString();
    Path amd64 = Files.createDirectories(shared.resolve("x-amd64"));
    run(
        amd64,
        Map.of(),
        "tar",
        "xzf",
        tagDir.resolve("dist/demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz").toString());
    Path hello = amd64.resolve("demo-1.0.0.linux-amd64.go" + GO_1_22 + "/bin/hello");
    assertTrue(containsBytes(Files.readAllBytes(hello), checkout), "no " + checkout + " in hello");
    assertEquals("hello 1.0.0 (at the tag)\n", run(amd64, Map.of(), hello.toString()));
  }

  @Test
  void overlappingPartsAreRefusedNamingTheTargetAndBothParts() throws Exception {
    Path overlap =
        stash(pipeline(Map.of()).part(request(RECIPE, root), Platform.parseList("linux/amd64")));
    RebuildException e = refused(List.of(partA, partB, overlap), RECIPE);
    assertMentions(
        e, "the target linux/amd64 is in two parts", partA.toString(), overlap.toString());
  }

  @Test
  void aMergeAskedForAnotherGoThanThePartsIsRefused() throws Exception {
    Path fresh = Files.createTempDirectory(shared, "merge-go-");
    RebuildRequest asked = new RebuildRequest(repo.toString(), TAG, GO_1_21, RECIPE, fresh, 2);
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () -> pipeline(Map.of()).merge(List.of(partA, partB), asked, plain()));
    assertEquals("go", e.parameter());
    assertMentions(e, "the parts were built with go" + GO_1_22, "-Dgo=" + GO_1_21);
    assertFalse(Files.exists(fresh.resolve(TAG).resolve(ReleaseManifest.FILE)));
  }

  @Test
  void aMissingTargetIsNamed() throws Exception {
    RebuildException e = refused(List.of(partA), RECIPE);
    assertMentions(e, "no part builds linux/arm64, windows/amd64");
  }

  @Test
  void partsOfDifferentCommitsAreRefused(@TempDir Path dir) throws Exception {
    // Its own repository: the tag moves under the second part's feet.
    Path moving = dir.resolve("repo");
    git(dir, "clone", "-q", repo.toString(), moving.toString());
    Path out = dir.resolve("out");
    Path first = pipeline(Map.of()).part(request(RECIPE, out, moving), PART_A);
    git(moving, "tag", "-f", "-a", TAG, "-m", "release 1.0.0 again", "origin/main");
    String moved = git(moving, "rev-parse", TAG + "^{commit}").trim();
    assertNotEquals(tagCommit, moved);
    Path second = pipeline(Map.of()).part(request(RECIPE, out, moving), PART_B);

    RebuildException e = refused(List.of(first, second), RECIPE);
    assertMentions(
        e, "part " + second, "with part " + first, "on commit: " + moved + " vs " + tagCommit);
  }

  @Test
  void aPartBuiltInAnotherWorkspaceIsRefusedWithoutTrimpath(@TempDir Path elsewhere)
      throws Exception {
    Path other = pipeline(Map.of()).part(request(RECIPE, elsewhere), PART_B);

    RebuildException e = refused(List.of(partA, other), RECIPE);
    assertMentions(
        e,
        "part " + other,
        "on paths.checkout: built in " + elsewhere.resolve(TAG + "/src"),
        "the other in " + root.resolve(TAG + "/src"),
        "Without -trimpath",
        "same workspace path");
  }

  @Test
  void aPartBuiltWithAnotherGoIsRefused() throws Exception {
    Path older =
        stash(
            pipeline(Map.of())
                .part(new RebuildRequest(repo.toString(), TAG, GO_1_21, RECIPE, root, 2), PART_A));

    RebuildException e = refused(List.of(partB, older), RECIPE);
    assertMentions(e, "part " + older, "on go.version: go" + GO_1_21 + " vs go" + GO_1_22);
  }

  @Test
  void aPartChangedAfterItsBuildIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Path changed = copyTree(partA, dir.resolve("linux-amd64"));
    Path archive = changed.resolve("dist/demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz");
    byte[] bytes = Files.readAllBytes(archive);
    bytes[bytes.length / 2] ^= 1;
    Files.write(archive, bytes);

    RebuildException e = refused(List.of(changed, partB), RECIPE);
    assertMentions(
        e,
        "part " + changed,
        "dist/demo-1.0.0.linux-amd64.go" + GO_1_22 + ".tar.gz has sha256 " + Digest.of(bytes).hex(),
        "changed after it was built");
  }

  @Test
  void aDirectoryWithoutPartJsonIsNoPart(@TempDir Path dir) throws Exception {
    Path half = copyTree(partA, dir.resolve("linux-amd64"));
    Files.delete(half.resolve(Part.FILE));

    RebuildException e = refused(List.of(half, partB), RECIPE);
    assertMentions(e, half + " is no part: it has no part.json");
  }

  @Test
  void aMergeWithAnotherRecipeIsRefused() throws Exception {
    Recipe other = recipe("-s -w -X main.version={version}", false);

    RebuildException e = refused(List.of(partA, partB), other);
    assertMentions(e, "part " + partA, "(field recipe:");
  }

  @Test
  void withTrimpathPartsFromDifferentWorkspacesMergeIntoTheOneMachineRelease(@TempDir Path dir)
      throws Exception {
    // Two linux targets: -trimpath rebuilds the standard library, so fewer targets keep it quick.
    List<Platform> linux = Platform.parseList("linux/amd64,linux/arm64");
    Recipe trimpath = recipe("-X main.version={version}", true).withTargets(linux);
    Path single = dir.resolve("single");
    pipeline(Map.of()).release(request(trimpath, single), plain());
    Path a =
        pipeline(Map.of()).part(request(trimpath, dir.resolve("machine-a")), linux.subList(0, 1));
    Path b =
        pipeline(Map.of()).part(request(trimpath, dir.resolve("machine-b")), linux.subList(1, 2));

    assertNotEquals(Part.read(a).paths().checkout(), Part.read(b).paths().checkout());

    Path merged = dir.resolve("merged");
    pipeline(Map.of()).merge(List.of(b, a), request(trimpath, merged), plain());
    assertSameRelease(single.resolve(TAG), merged.resolve(TAG));
  }

  // --- helpers

  static Recipe recipe(String ldflags, boolean trimpath) {
    return new Recipe(
        null,
        Platform.parseList("linux/amd64,linux/arm64,windows/amd64"),
        List.of(),
        NameTemplate.parse(ldflags, NameTemplate.RELEASE_PLACEHOLDERS),
        List.of(),
        trimpath,
        List.of(),
        new TreeMap<>(Map.of("CGO_ENABLED", "0")),
        ArchiveSpec.parse(
            "{project}-{version}.{os}-{arch}.go{goVersion}",
            "tar.gz",
            Map.of("windows", "zip"),
            "{name}/bin"));
  }

  static RebuildRequest request(Recipe recipe, Path outputRoot) {
    return request(recipe, outputRoot, repo);
  }

  static RebuildRequest request(Recipe recipe, Path outputRoot, Path source) {
    return new RebuildRequest(source.toString(), TAG, GO_1_22, recipe, outputRoot, 2);
  }

  /** No verification, no image, no publish; provenance, which a merge must write byte for byte. */
  static ReleaseOptions plain() {
    return new ReleaseOptions(null, null, null, true)
        .withProvenance(ProvenanceStage.unsigned("0.1.0-test"));
  }

  /**
   * A pipeline seeing the pinned Go 1.22 as rebuild.goroot and Go 1.21 as a configured one, whose
   * go inherits this process's environment with {@code overrides} (a machine's own GOCACHE).
   */
  static ReleasePipeline pipeline(Map<String, String> overrides) {
    ToolchainSettings settings =
        ToolchainSettings.builder().goroot(go122).extraGoroots(List.of(go121)).build();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(overrides);
    CommonsExecProcessRunner runner = new CommonsExecProcessRunner();
    return new ReleasePipeline(
        runner,
        new InstalledToolchains(settings, runner),
        new BuildInfoInspector(),
        env,
        new RecordingReleaseListener(new ArrayList<>()));
  }

  /**
   * Refused as bad parts, and nothing committed: neither into a fresh output root nor over a
   * committed tag directory, which stays as it was.
   */
  static RebuildException refused(List<Path> parts, Recipe recipe) throws IOException {
    Path fresh = Files.createTempDirectory(shared, "merge-");
    RebuildException e =
        assertThrows(
            RebuildException.class,
            () -> pipeline(Map.of()).merge(parts, request(recipe, fresh), plain()));
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind(), e.getMessage());
    assertEquals("parts", e.parameter());
    assertFalse(Files.exists(fresh.resolve(TAG).resolve(ReleaseManifest.FILE)));

    Path committed = Files.createTempDirectory(shared, "committed-");
    copyTree(oneMachine, committed.resolve(TAG));
    Map<String, String> before = snapshot(committed.resolve(TAG));
    RebuildException again =
        assertThrows(
            RebuildException.class,
            () -> pipeline(Map.of()).merge(parts, request(recipe, committed), plain()));
    assertEquals(e.getMessage(), again.getMessage());
    assertEquals(before, snapshot(committed.resolve(TAG)));
    return e;
  }

  static void assertMentions(RebuildException e, String... expected) {
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), "no '" + s + "' in:\n" + e.getMessage());
    }
  }

  /** dist/ (every file), SHA256SUMS and rebuild-manifest.json are byte for byte the same. */
  static void assertSameRelease(Path expected, Path actual) throws IOException {
    assertEquals(names(expected.resolve("dist")), names(actual.resolve("dist")));
    for (String name : names(expected.resolve("dist"))) {
      assertArrayEquals(
          Files.readAllBytes(expected.resolve("dist").resolve(name)),
          Files.readAllBytes(actual.resolve("dist").resolve(name)),
          name);
    }
    for (String file : List.of(TagDirectory.SUMS, ReleaseManifest.FILE)) {
      assertEquals(
          Files.readString(expected.resolve(file)), Files.readString(actual.resolve(file)));
      assertArrayEquals(
          Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)));
    }
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Every file and directory under {@code dir}, files with their sha256. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "/" : Digest.of(p).hex());
      }
    }
    return out;
  }

  static void copyCommitted(Path tagDir, Path to) throws IOException {
    copyTree(tagDir.resolve("dist"), to.resolve("dist"));
    for (String file : List.of(TagDirectory.SUMS, ReleaseManifest.FILE)) {
      Files.copy(tagDir.resolve(file), to.resolve(file));
    }
  }

  static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  static Path move(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    return Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Moves a part built into R out of {@code R/parts}, as a CI stash does. */
  static Path stash(Path part) throws IOException {
    return move(part, Files.createTempDirectory(shared, "stash-").resolve(part.getFileName()));
  }

  static boolean containsBytes(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
