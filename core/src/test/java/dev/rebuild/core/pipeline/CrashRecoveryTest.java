package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.demoRepository;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.image.Cmd;
import dev.rebuild.core.image.Crane;
import dev.rebuild.core.image.Fixture;
import dev.rebuild.core.image.TestRegistry;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.github.GitHubDestination;
import dev.rebuild.core.publish.github.GitHubSettings;
import dev.rebuild.core.publish.github.GitHubSettings.Mode;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.testing.ChildKill;
import dev.rebuild.core.testing.FakeGitHub;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuild killed with {@code kill -9} at the points where a crash could leave a half-written
 * release: the tag directory is always either the previous commit or the new one, never a mix, and
 * the next run under the lock finishes or discards what the killed one left. The runs that are
 * killed are real rebuilds in a JVM of their own ({@link CrashChild}); they pause only where no
 * {@code go} process runs, as {@code kill -9} of the JVM would leave one behind.
 */
class CrashRecoveryTest {

  static final String TAG = "v1.0.0";
  static final String TARGETS = "linux/amd64,linux/arm64";

  /** State A, the committed release a rerun with recipe B replaces: same names, other bytes. */
  static final String LDFLAGS_A = "-X main.version={version}";

  static final String LDFLAGS_B = "-X main.version={version}-b";

  static final Duration MARKER_WAIT = Duration.ofMinutes(2);
  static final Crane CRANE = Crane.anonymous();

  @RegisterExtension static final TestRegistry REGISTRY = TestRegistry.open();

  @TempDir static Path shared;
  static Path goroot;
  static Path repo;

  /** What uninterrupted releases with recipe A and with recipe B commit. */
  static State stateA;

  static State stateB;

  @TempDir Path tmp;
  final List<Process> children = new ArrayList<>();
  final List<Path> childLogs = new ArrayList<>();
  final StringBuilder childOutput = new StringBuilder();

  @RegisterExtension
  final TestWatcher printChildOutput =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          System.out.println(
              "---- output of the child JVMs of the failed test ----\n" + childOutput);
        }
      };

  /**
   * The committed state of a tag directory as raw files: the sha256 of the manifest, of {@code
   * SHA256SUMS} and of each file of {@code dist/}; null where a file is missing.
   */
  record State(String manifest, String sums, Map<String, String> dist) {
    static State read(Path tagDir) throws IOException {
      Map<String, String> dist = new TreeMap<>();
      if (Files.isDirectory(tagDir.resolve(TagDirectory.DIST))) {
        try (Stream<Path> files = Files.list(tagDir.resolve(TagDirectory.DIST))) {
          for (Path f : files.toList()) {
            dist.put(f.getFileName().toString(), Digest.of(f).hex());
          }
        }
      }
      return new State(
          sha(tagDir.resolve(ReleaseManifest.FILE)), sha(tagDir.resolve(TagDirectory.SUMS)), dist);
    }

    static String sha(Path file) throws IOException {
      return Files.exists(file) ? Digest.of(file).hex() : null;
    }
  }

  @BeforeAll
  static void referenceReleases() throws Exception {
    goroot = requireGo(GO_1_22);
    repo = shared.resolve("repo");
    demoRepository(repo);
    stateA = State.read(release(LDFLAGS_A, shared.resolve("reference-a"), new ArrayList<>()));
    stateB = State.read(release(LDFLAGS_B, shared.resolve("reference-b"), new ArrayList<>()));
    assertEquals(stateA.dist().keySet(), stateB.dist().keySet());
    for (String name : stateA.dist().keySet()) {
      assertNotEquals(stateA.dist().get(name), stateB.dist().get(name), name);
    }
  }

  @AfterEach
  void noChildOutlivesTheTest() throws Exception {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    for (Path log : childLogs) {
      childOutput.append("== ").append(log.getFileName()).append('\n');
      childOutput.append(Files.exists(log) ? Files.readString(log) : "(no output)\n");
    }
  }

  /** Releases the demo tag in this JVM; returns the tag directory. */
  static Path release(String ldflags, Path outputRoot, List<String> log) throws RebuildException {
    CrashChild.pipeline(goroot, new CrashChild.Events(log::add))
        .release(
            CrashChild.request(repo.toString(), TAG, GO_1_22, ldflags, TARGETS, outputRoot),
            ReleaseOptions.plain());
    return outputRoot.resolve(TAG);
  }

  @Test
  void killedWhileBuildingLeavesTheCommittedReleaseAndTheRerunReplacesIt() throws Exception {
    Path out = tmp.resolve("out");
    Path dir = release(LDFLAGS_A, out, new ArrayList<>());
    assertEquals(stateA, State.read(dir));

    // Between the targets: the first one is built, the second not started.
    String paused = killAt("^done linux/amd64 ", releaseArgs(LDFLAGS_B, out));
    assertEquals("done linux/amd64 2", paused);

    assertTrue(Files.isDirectory(dir.resolve("staging")), "the killed run had begun its staging");
    assertCommitted(dir, stateA);

    release(LDFLAGS_B, out, new ArrayList<>());
    assertCommitted(dir, stateB);
    assertNothingLeftOver(dir);
  }

  @Test
  void killedWhilePublishingToGitHubLeavesADraftAndTheRerunSendsOnlyTheRest() throws Exception {
    Path out = tmp.resolve("out");
    Path dir = release(LDFLAGS_A, out, new ArrayList<>());
    ReleaseManifest m = new TagDirectory(dir, new CrashChild.Events(l -> {})).verifyCommitted();
    String label = m.label().orElseThrow();
    String token = "ghp_crash-test";
    try (FakeGitHub github = new FakeGitHub(token)) {
      github.tag("demo/demo", TAG, m.commit());
      // Killed after the third upload (the checksums), before its journal entry is saved.
      String paused =
          killAt(
              "^github:demo/demo: uploaded .*\\.SHA256SUMS ",
              List.of(
                  "publish-github",
                  dir.toString(),
                  github.apiUrl().toString(),
                  "demo/demo",
                  "release",
                  token));
      assertTrue(paused.contains(label), paused);
      FakeGitHub.Release draft =
          github.releases("demo/demo").stream()
              .filter(r -> r.tagName.equals(label))
              .findFirst()
              .orElseThrow();
      assertTrue(draft.draft, "killed before the end: still a draft, invisible");
      int artifacts = m.artifacts().size();
      assertEquals(artifacts + 1, draft.assets.size(), "the artifacts and the checksums");
      Path record = dir.resolve(TagDirectory.PUBLISH).resolve("github_demo_demo.json");
      assertEquals(
          1 + artifacts,
          PublishRecord.read(record).orElseThrow().items().size(),
          "the release and the artifacts: the checksums' entry was not saved yet");

      List<String> log = new ArrayList<>();
      ReleasePipeline.publisher(new CrashChild.Events(log::add))
          .publish(
              dir,
              ImageStage.Registries.DEFAULT,
              List.of(
                  new GitHubDestination(
                      new GitHubSettings(
                          "demo/demo", Mode.RELEASE, github.apiUrl(), token, null, false))));
      FakeGitHub.Release rel =
          github.releases("demo/demo").stream()
              .filter(r -> r.tagName.equals(label))
              .findFirst()
              .orElseThrow();
      assertFalse(rel.draft);
      assertEquals(artifacts + 2, rel.assets.size());
      assertEquals(artifacts + 2, github.uploads(), "only the rest was uploaded: " + log);
      assertEquals(1, log.stream().filter(l -> l.contains(": uploaded ")).count(), log.toString());
      assertEquals(1 + artifacts + 2, PublishRecord.read(record).orElseThrow().items().size());
      assertEquals(1, github.releases("demo/demo").size(), "one release, not two");
    }
  }

  @Test
  void killedAfterStagingBeforeTheRenameLeavesTheCommittedRelease() throws Exception {
    Path out = tmp.resolve("out");
    Path dir = release(LDFLAGS_A, out, new ArrayList<>());

    killAt("^commit: staged ", releaseArgs(LDFLAGS_B, out));

    assertEquals(stateA, State.read(dir));
    assertEquals(
        stateB.manifest(),
        State.sha(dir.resolve("staging").resolve(ReleaseManifest.FILE)),
        "killed with B fully staged");
    assertFalse(Files.exists(dir.resolve(".commit")));
    assertCommitted(dir, stateA);

    // The next phase under the lock throws the staging away and keeps A.
    List<String> log = new ArrayList<>();
    ReleasePipeline.publisher(new CrashChild.Events(log::add))
        .publish(dir, ImageStage.Registries.DEFAULT);
    assertTrue(
        log.stream().anyMatch(l -> l.startsWith("discarding " + dir.resolve("staging"))),
        log.toString());
    assertCommitted(dir, stateA);
    assertNothingLeftOver(dir);

    release(LDFLAGS_B, out, new ArrayList<>());
    assertCommitted(dir, stateB);
    assertNothingLeftOver(dir);
  }

  @Test
  void killedHalfWayThroughTheRollForwardIsFinishedByTheNextPhase() throws Exception {
    Path out = tmp.resolve("out");
    Path dir = release(LDFLAGS_A, out, new ArrayList<>());

    killAt("^commit: moved dist into place$", releaseArgs(LDFLAGS_B, out));

    // Uncommitted: the manifest is gone, so no reader trusts the half-moved files.
    assertEquals(null, State.read(dir).manifest());
    assertEquals(stateB.dist(), State.read(dir).dist());
    assertEquals(stateA.sums(), State.read(dir).sums());
    assertEquals(
        stateB.manifest(), State.sha(dir.resolve(".commit").resolve(ReleaseManifest.FILE)));
    TagDirectory unlocked = new TagDirectory(dir, new CrashChild.Events(l -> {}));
    assertTrue(unlocked.committed().isEmpty());
    RebuildException e = assertThrows(RebuildException.class, unlocked::verifyCommitted);
    assertTrue(e.getMessage().contains(" is not committed"), e.getMessage());

    List<String> log = new ArrayList<>();
    RebuildResult r =
        ReleasePipeline.publisher(new CrashChild.Events(log::add))
            .publish(dir, ImageStage.Registries.DEFAULT);
    assertTrue(
        log.stream().anyMatch(l -> l.startsWith("finishing the commit an interrupted run left")),
        log.toString());
    assertEquals(stateB.manifest(), Digest.of(r.manifest().toJson()).hex());
    assertCommitted(dir, stateB);
    assertNothingLeftOver(dir);
  }

  @Test
  void killedDuringAnImagePushSetsNoTagAndTheRerunUploadsOnlyTheRest() throws Exception {
    Fixture fixture = Fixture.get();
    Path appRepo = CrashChild.tagged(fixture.module(), tmp.resolve("app"), TAG);
    Path original = fixture.writeOriginal(tmp.resolve("original"), TAG, List.of("hello", "world"));
    String repository = REGISTRY.host() + "/crash/app";
    ImageStage.Registries registries = CrashChild.registries(REGISTRY.host());
    ImageStage images =
        CrashChild.layoutImage(original, TAG, repository, List.of("{tag}-rebuilt"), registries);
    Path out = tmp.resolve("out");
    ReleaseManifest manifest =
        CrashChild.pipeline(goroot, new CrashChild.Events(l -> {}))
            .release(
                CrashChild.request(appRepo.toString(), TAG, GO_1_22, LDFLAGS_A, "linux/amd64", out),
                new ReleaseOptions(null, images, registries, true))
            .manifest();
    Path dir = out.resolve(TAG);
    ReleaseManifest.Image image = manifest.images().get(0);
    String tagged = repository + ":" + TAG + "-rebuilt";
    assertEquals(tagged, image.reference());

    killAt("^image: pushed blob ", List.of("publish", dir.toString(), REGISTRY.host()));

    List<String> killedBlobs = pushedBlobs(Files.readAllLines(childLogs.get(0)));
    assertEquals(1, killedBlobs.size(), killedBlobs.toString());
    HttpResponse<Void> blob =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + REGISTRY.host()
                                + "/v2/crash/app/blobs/"
                                + killedBlobs.get(0)))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    assertEquals(200, blob.statusCode(), "the killed run's blob is in the registry");
    Cmd.Result digest = CRANE.run("digest", tagged);
    assertNotEquals(0, digest.exit(), "a tag points at a partial image: " + digest.out());
    assertFalse(
        Files.exists(dir.resolve(TagDirectory.PUBLISH)), "a record of a publish that never ended");
    Cmd.Result ls = CRANE.run("ls", repository);
    assertTrue(ls.exit() != 0 || ls.out().isBlank(), "tags after the kill: " + ls.out());

    List<String> log = new ArrayList<>();
    RebuildResult r =
        ReleasePipeline.publisher(new CrashChild.Events(log::add)).publish(dir, registries);
    assertEquals(image.digest(), CRANE.ok("digest", tagged).strip());
    assertEquals(image.digest(), r.published().get(0).items().get(0).digest());
    List<String> rerunBlobs = pushedBlobs(log);
    assertFalse(rerunBlobs.isEmpty(), log.toString());
    Set<String> twice = new HashSet<>(rerunBlobs);
    twice.retainAll(killedBlobs);
    assertEquals(Set.of(), twice, "uploaded again");

    List<String> third = new ArrayList<>();
    ReleasePipeline.publisher(new CrashChild.Events(third::add)).publish(dir, registries);
    assertEquals(
        List.of(), third.stream().filter(l -> l.startsWith("image: pushed ")).toList(), "" + third);

    List<Path> records;
    try (Stream<Path> s = Files.list(dir.resolve(TagDirectory.PUBLISH))) {
      records = s.toList();
    }
    assertEquals(1, records.size(), records.toString());
    PublishRecord record = PublishRecord.read(records.get(0)).orElseThrow();
    assertEquals(image.digest(), record.items().get(0).digest());
    assertEquals(Digest.of(dir.resolve(ReleaseManifest.FILE)).hex(), record.manifestSha256());
  }

  static final Pattern PUSHED_BLOB = Pattern.compile("^image: pushed blob (sha256:[0-9a-f]{64})$");

  static List<String> pushedBlobs(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      Matcher m = PUSHED_BLOB.matcher(l);
      if (m.matches()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  List<String> releaseArgs(String ldflags, Path outputRoot) {
    return List.of(
        "release",
        goroot.toString(),
        repo.toString(),
        TAG,
        GO_1_22,
        ldflags,
        TARGETS,
        outputRoot.toString());
  }

  /**
   * Runs {@link CrashChild} with {@code args}, waits until it pauses at the first event matching
   * {@code regex}, kills it with {@code kill -9} and waits for it to die.
   *
   * @return the event it paused at
   */
  String killAt(String regex, List<String> args) throws Exception {
    int n = children.size();
    Path log = tmp.resolve("child-" + n + ".log");
    childLogs.add(log);
    return ChildKill.killAt(
        CrashChild.class,
        args,
        regex,
        tmp.resolve("child-" + n + ".paused"),
        log,
        MARKER_WAIT,
        children);
  }

  /**
   * The tag directory is committed with exactly {@code expected}, as the pipeline's own check and
   * as {@code sha256sum -c} see it.
   */
  static void assertCommitted(Path dir, State expected) throws Exception {
    assertEquals(expected, State.read(dir));
    ReleaseManifest m = new TagDirectory(dir, new CrashChild.Events(l -> {})).verifyCommitted();
    assertEquals(expected.manifest(), Digest.of(m.toJson()).hex());
    // LC_ALL=C: sha256sum says "OK" in the C locale only.
    String check =
        run(
            dir.resolve(TagDirectory.DIST),
            Map.of("LC_ALL", "C"),
            "sha256sum",
            "--strict",
            "-c",
            "../" + TagDirectory.SUMS);
    List<String> ok =
        expected.dist().keySet().stream().map(name -> name + ": OK").sorted().toList();
    assertEquals(ok, check.lines().sorted().toList());
  }

  /** Neither a staging directory nor an interrupted commit nor its trash. */
  static void assertNothingLeftOver(Path dir) {
    for (String name : List.of("staging", ".commit", ".trash")) {
      assertFalse(Files.exists(dir.resolve(name)), dir.resolve(name) + " is left over");
    }
  }
}
