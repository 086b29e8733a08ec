package dev.rebuild.core.pipeline;

import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.demoRepository;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.github.GitHubDestination;
import dev.rebuild.core.publish.github.GitHubSettings;
import dev.rebuild.core.publish.github.GitHubSettings.Mode;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.testing.FakeGitHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing a real committed rebuild (bare binaries of the demo, built by Go) to a local GitHub
 * that answers as GitHub's REST documentation says ({@link FakeGitHub}): both modes, re-runs that
 * send nothing, and every bad input the GitHub destination must refuse before or without publishing
 * anything partial.
 */
class GitHubPublishTest {

  static final String TAG = "v1.0.0";
  static final String REPO = "demo/demo";
  static final String TOKEN = "ghp_test-token-0123456789";

  @TempDir static Path shared;
  static Path committed;
  static ReleaseManifest manifest;
  static String label;

  @TempDir Path tmp;
  FakeGitHub github;
  Path dir;
  final List<Duration> waits = new ArrayList<>();
  final List<String> log = new ArrayList<>();

  @BeforeAll
  static void commitARebuild() throws Exception {
    Path goroot = requireGo(GO_1_22);
    Path repo = shared.resolve("repo");
    demoRepository(repo);
    Path out = shared.resolve("out");
    CrashChild.pipeline(goroot, new CrashChild.Events(l -> {}))
        .release(
            CrashChild.request(
                repo.toString(),
                TAG,
                GO_1_22,
                "-X main.version={version}",
                "linux/amd64,linux/arm64",
                out),
            ReleaseOptions.plain());
    committed = out.resolve(TAG);
    manifest = new TagDirectory(committed, new CrashChild.Events(l -> {})).verifyCommitted();
    label = manifest.label().orElseThrow();
  }

  @BeforeEach
  void setUp() throws Exception {
    dir = tmp.resolve(TAG);
    PartsMergeTest.copyTree(committed, dir);
    github = new FakeGitHub(TOKEN);
    github.tag(REPO, TAG, manifest.commit());
  }

  @AfterEach
  void tearDown() {
    github.close();
  }

  GitHubDestination destination(Mode mode, String token, boolean replace) {
    return new GitHubDestination(
        new GitHubSettings(REPO, mode, github.apiUrl(), token, null, replace),
        Clock.systemUTC(),
        waits::add,
        Duration.ofMinutes(5),
        Duration.ofMillis(1));
  }

  RebuildResult publish(GitHubDestination d) throws RebuildException {
    return ReleasePipeline.publisher(new CrashChild.Events(log::add))
        .publish(dir, ImageStage.Registries.DEFAULT, List.of(d));
  }

  int fileCount() {
    // the artifacts, the labelled checksums and the manifest (no report: not verified)
    return manifest.artifacts().size() + 2;
  }

  long posts() {
    return github.requests().stream().filter(r -> r.startsWith("POST ")).count();
  }

  FakeGitHub.Release release(String tag) {
    return github.releases(REPO).stream()
        .filter(r -> r.tagName.equals(tag))
        .findFirst()
        .orElse(null);
  }

  /** Downloads every asset of a published release flat into a directory, as a user would. */
  Path downloadAll(FakeGitHub.Release r) throws Exception {
    Path into = Files.createDirectories(tmp.resolve("download-" + r.tagName));
    HttpClient http = HttpClient.newHttpClient();
    for (FakeGitHub.Asset a : r.assets) {
      URI u =
          URI.create(
              "http://127.0.0.1:"
                  + github.port()
                  + "/"
                  + REPO
                  + "/releases/download/"
                  + r.tagName
                  + "/"
                  + a.name);
      HttpResponse<Path> resp =
          http.send(
              HttpRequest.newBuilder(u).build(),
              HttpResponse.BodyHandlers.ofFile(into.resolve(a.name)));
      assertEquals(200, resp.statusCode(), u.toString());
    }
    return into;
  }

  String checksumsName() {
    return manifest.project() + "-" + label + ".SHA256SUMS";
  }

  @Test
  void attachesToTheOriginalReleaseByDefaultAndARerunUploadsNothing() throws Exception {
    byte[] own = "the original's own archive".getBytes();
    github.publishedRelease(REPO, TAG, Map.of("demo-original.tar.gz", own));

    RebuildResult r = publish(destination(null, TOKEN, false));

    FakeGitHub.Release rel = release(TAG);
    assertEquals(1 + fileCount(), rel.assets.size(), "the original's file and ours");
    FakeGitHub.Asset original = rel.assets.get(0);
    assertEquals("demo-original.tar.gz", original.name);
    assertTrue(java.util.Arrays.equals(own, original.data), "the original's file is untouched");
    for (FakeGitHub.Asset a : rel.assets.subList(1, rel.assets.size())) {
      assertEquals("uploaded", a.state);
      assertEquals(a.name + GitHubDestination.MARK, a.label);
    }
    assertTrue(log.stream().anyMatch(l -> l.contains("attaching")), log.toString());
    PublishRecord rec = r.published().get(0);
    assertEquals("github:" + REPO, rec.destination());
    assertEquals("github-release", rec.items().get(0).kind());
    assertEquals(fileCount(), rec.items().size() - 1);
    assertTrue(Files.exists(dir.resolve(TagDirectory.PUBLISH).resolve(rec.fileName())));

    // An independent reader: sha256sum -c over a flat download of every asset.
    Path flat = downloadAll(rel);
    String check = run(flat, Map.of("LC_ALL", "C"), "sha256sum", "--strict", "-c", checksumsName());
    assertEquals(fileCount() - 1, check.lines().filter(l -> l.endsWith(": OK")).count(), check);

    int uploads = github.uploads();
    long posts = posts();
    publish(destination(null, TOKEN, false));
    assertEquals(uploads, github.uploads(), "the re-run uploads nothing");
    assertEquals(posts, posts(), "the re-run posts nothing");
    assertEquals(1 + fileCount(), release(TAG).assets.size());
  }

  @Test
  void withoutDigestsComparesByDownloadingAndTheStorageGetsNoToken() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    publish(destination(Mode.ATTACH, TOKEN, false));
    github.digests(false);
    int uploads = github.uploads();
    publish(destination(Mode.ATTACH, TOKEN, false));
    assertEquals(uploads, github.uploads());
    assertTrue(
        github.requests().stream().filter(x -> x.startsWith("GET /storage/")).count()
            >= fileCount(),
        "compared by downloading: " + github.requests());
    assertEquals(
        List.of(), github.storageAuthorizations(), "the token never goes to the storage host");
  }

  @Test
  void releaseModeCreatesADraftUploadsEverythingThenPublishesAtTheOriginalCommit()
      throws Exception {
    github.immutableReleases(REPO, true);
    // More releases than one page holds: the search for the label's release follows Link.
    for (int i = 0; i < 105; i++) {
      github.publishedRelease(REPO, "v0.0." + i, Map.of());
    }
    publish(destination(Mode.RELEASE, TOKEN, false));

    FakeGitHub.Release rel = release(label);
    assertFalse(rel.draft);
    assertTrue(rel.immutable, "published in a repository with immutable releases");
    assertEquals("false", rel.makeLatest);
    assertEquals(
        manifest.commit(), github.tagCommit(REPO, label), "the tag is the original's commit");
    assertEquals(fileCount(), rel.assets.size());
    assertTrue(rel.body.contains("sha256sum -c " + checksumsName()), rel.body);
    assertTrue(rel.body.contains(TAG) && rel.body.contains(manifest.go().version()), rel.body);
    assertTrue(
        github.requests().stream().anyMatch(x -> x.startsWith("GET ") && x.contains("/releases")),
        github.requests().toString());
    Path flat = downloadAll(rel);
    run(flat, Map.of("LC_ALL", "C"), "sha256sum", "--strict", "-c", checksumsName());

    long posts = posts();
    publish(destination(Mode.RELEASE, TOKEN, false));
    assertEquals(posts, posts(), "the re-run creates and uploads nothing");
    assertEquals(1, github.releases(REPO).stream().filter(r -> r.tagName.equals(label)).count());
  }

  @Test
  void aNotesTemplateReplacesTheGeneratedNotes() throws Exception {
    publish(
        new GitHubDestination(
            new GitHubSettings(
                REPO,
                Mode.RELEASE,
                github.apiUrl(),
                TOKEN,
                "{project} {tag} as {label} at {commit} with {goVersion}; fixed: {fixed}; {checksums}",
                false),
            Clock.systemUTC(),
            waits::add,
            Duration.ofMinutes(1),
            Duration.ofMillis(1)));
    assertEquals(
        manifest.project()
            + " "
            + TAG
            + " as "
            + label
            + " at "
            + manifest.commit()
            + " with "
            + manifest.go().version()
            + "; fixed: none found; "
            + checksumsName(),
        release(label).body);
  }

  @Test
  void noTokenAndAWrongTokenStopBeforeAnythingIsSent() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    RebuildException none =
        assertThrows(RebuildException.class, () -> publish(destination(null, null, false)));
    assertEquals(RebuildException.Kind.BAD_INPUT, none.kind());
    assertTrue(none.getMessage().contains("GITHUB_TOKEN"), none.getMessage());
    assertTrue(none.getMessage().contains("rebuild:publish"), none.getMessage());
    assertEquals(List.of(), github.requests());

    RebuildException wrong =
        assertThrows(RebuildException.class, () -> publish(destination(null, "ghp_wrong", false)));
    assertEquals(RebuildException.Kind.BAD_INPUT, wrong.kind());
    assertTrue(wrong.getMessage().contains("refused the token"), wrong.getMessage());
    assertFalse(wrong.getMessage().contains("ghp_wrong"), "the token is never shown");
    assertEquals(0, posts());
    for (Path f : Files.list(dir.resolve(TagDirectory.PUBLISH)).toList()) {
      assertFalse(Files.readString(f).contains("ghp_"), f + " holds no token");
    }
  }

  @Test
  void aTokenThatCannotWriteIsRefusedBeforeAnyUpload() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    github.readOnlyToken("ghp_read-only");
    RebuildException e =
        assertThrows(
            RebuildException.class, () -> publish(destination(null, "ghp_read-only", false)));
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("the token cannot write to " + REPO), e.getMessage());
    assertEquals(0, posts());
  }

  @Test
  void anUnreachableGitHubFailsNamingTheResumeCommand() throws Exception {
    github.close();
    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(destination(Mode.ATTACH, TOKEN, false)));
    assertEquals(RebuildException.Kind.TOOL, e.kind());
    assertTrue(e.getMessage().contains("cannot reach GitHub"), e.getMessage());
    assertTrue(e.getMessage().contains("-Drebuild.publish=github"), e.getMessage());
    assertEquals(3, waits.size(), "retried with back-off: " + waits);
  }

  @Test
  void aMissingRepositoryOrReleaseIsNamedWithTheFix() throws Exception {
    RebuildException noRepo =
        assertThrows(
            RebuildException.class,
            () ->
                publish(
                    new GitHubDestination(
                        new GitHubSettings("demo/nope", null, github.apiUrl(), TOKEN, null, false),
                        Clock.systemUTC(),
                        waits::add,
                        Duration.ofMinutes(1),
                        Duration.ofMillis(1))));
    assertTrue(noRepo.getMessage().contains("repository demo/nope not found"), noRepo.getMessage());
    assertEquals("publish.github.repository", noRepo.parameter());

    RebuildException noRelease =
        assertThrows(RebuildException.class, () -> publish(destination(null, TOKEN, false)));
    assertTrue(noRelease.getMessage().contains("<mode>release</mode>"), noRelease.getMessage());
    RebuildException attach =
        assertThrows(RebuildException.class, () -> publish(destination(Mode.ATTACH, TOKEN, false)));
    assertTrue(
        attach.getMessage().contains("has no published release for " + TAG), attach.getMessage());
    assertEquals(0, posts());
  }

  @Test
  void anImmutableOriginalReleaseIsNotAttachedTo() throws Exception {
    github.immutableReleases(REPO, true);
    github.publishedRelease(REPO, TAG, Map.of());
    for (Mode m : new Mode[] {null, Mode.ATTACH}) {
      RebuildException e =
          assertThrows(RebuildException.class, () -> publish(destination(m, TOKEN, false)));
      assertTrue(e.getMessage().contains("is immutable"), e.getMessage());
      assertTrue(e.getMessage().contains("<mode>release</mode>"), e.getMessage());
    }
    assertEquals(0, posts());
  }

  @Test
  void aNameClashWithTheOriginalsFilesIsNeverTouched() throws Exception {
    String name = manifest.artifacts().get(0).name();
    byte[] theirs = "not ours".getBytes();
    github.publishedRelease(REPO, TAG, Map.of(name, theirs));
    RebuildException auto =
        assertThrows(RebuildException.class, () -> publish(destination(null, TOKEN, false)));
    assertTrue(
        auto.getMessage().contains(name) && auto.getMessage().contains("<mode>release</mode>"),
        auto.getMessage());
    RebuildException replace =
        assertThrows(RebuildException.class, () -> publish(destination(Mode.ATTACH, TOKEN, true)));
    assertTrue(
        replace.getMessage().contains("did not upload; it is never touched"), replace.getMessage());
    assertTrue(java.util.Arrays.equals(theirs, release(TAG).assets.get(0).data));
    assertTrue(
        github.requests().stream().noneMatch(r -> r.startsWith("DELETE ")), "nothing deleted");
  }

  @Test
  void oursWithOtherBytesIsReplacedOnlyWithReplaceAssets() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    publish(destination(Mode.ATTACH, TOKEN, false));
    FakeGitHub.Asset first = release(TAG).assets.get(0);
    first.data = "an earlier rebuild's bytes".getBytes();

    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(destination(Mode.ATTACH, TOKEN, false)));
    assertEquals("replaceAssets", e.parameter());
    assertTrue(
        e.getMessage().contains(first.name)
            && e.getMessage().contains("-Drebuild.replaceAssets=true"),
        e.getMessage());

    publish(destination(Mode.ATTACH, TOKEN, true));
    FakeGitHub.Asset now =
        release(TAG).assets.stream()
            .filter(a -> a.name.equals(first.name))
            .findFirst()
            .orElseThrow();
    assertEquals("sha256:" + manifest.artifacts().get(0).sha256(), now.digest());
  }

  @Test
  void aServerDownHalfwayFailsNamingTheResumeAndTheRerunConverges() throws Exception {
    github.downAfterUploads(2);
    RebuildException e =
        assertThrows(
            RebuildException.class, () -> publish(destination(Mode.RELEASE, TOKEN, false)));
    assertTrue(
        e.getMessage()
            .contains(
                "mvn rebuild:publish -Drebuild.tagDirectory=" + dir + " -Drebuild.publish=github"),
        e.getMessage());
    assertTrue(e.getMessage().contains("failed; what it holds: 3 entries"), e.getMessage());
    FakeGitHub.Release draft = release(label);
    assertTrue(draft.draft, "the release stays a draft until every asset is there");
    assertEquals(2, draft.assets.size());
    assertNull(github.tagCommit(REPO, label), "no tag before the release is published");

    github.up();
    publish(destination(Mode.RELEASE, TOKEN, false));
    FakeGitHub.Release rel = release(label);
    assertFalse(rel.draft);
    assertEquals(fileCount(), rel.assets.size());
    assertEquals(fileCount(), github.uploads(), "nothing was uploaded twice");
  }

  @Test
  void aBrokenStarterAssetIsDeletedAndTheUploadRetried() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    github.failUploads(1);
    publish(destination(Mode.ATTACH, TOKEN, false));
    FakeGitHub.Release rel = release(TAG);
    assertEquals(fileCount(), rel.assets.size());
    assertTrue(rel.assets.stream().allMatch(a -> a.state.equals("uploaded")));
    assertEquals(1, github.requests().stream().filter(r -> r.startsWith("DELETE ")).count());
  }

  @Test
  void rateLimitsAreWaitedOutAndSaidOrFailWhenTooLong() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    github.rateLimit(1, false, 30);
    publish(destination(Mode.ATTACH, TOKEN, false));
    assertEquals(1, waits.size(), waits.toString());
    assertTrue(waits.get(0).toSeconds() >= 29 && waits.get(0).toSeconds() <= 32, waits.toString());
    assertTrue(
        log.stream().anyMatch(l -> l.contains("rate limit") && l.contains("waiting")),
        log.toString());

    github.rateLimit(1, true, 3600);
    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(destination(Mode.ATTACH, TOKEN, false)));
    assertTrue(
        e.getMessage().contains("rate limit") && e.getMessage().contains("run again after"),
        e.getMessage());
  }

  @Test
  void aTagDirectoryThatDoesNotMatchItsChecksumsUploadsNothing() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    Path f = dir.resolve(TagDirectory.DIST).resolve(manifest.artifacts().get(0).name());
    Files.write(f, "tampered".getBytes());
    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(destination(null, TOKEN, false)));
    assertEquals("tagDirectory", e.parameter());
    assertEquals(List.of(), github.requests(), "nothing was asked of GitHub");
  }

  @Test
  void anUploadUrlOnAnotherHostGetsNoToken() throws Exception {
    github.publishedRelease(REPO, TAG, Map.of());
    github.uploadHost("localhost");
    RebuildException e =
        assertThrows(RebuildException.class, () -> publish(destination(Mode.ATTACH, TOKEN, false)));
    assertTrue(e.getMessage().contains("the token is not sent there"), e.getMessage());
    assertEquals(0, posts());
  }

  @Test
  void aLabelTagAtAnotherCommitIsNeverMoved() throws Exception {
    github.tag(REPO, label, "0123456789abcdef0123456789abcdef01234567");
    RebuildException e =
        assertThrows(
            RebuildException.class, () -> publish(destination(Mode.RELEASE, TOKEN, false)));
    assertEquals("label", e.parameter());
    assertTrue(e.getMessage().contains("never moved"), e.getMessage());
    assertEquals(0, posts());
    assertEquals("0123456789abcdef0123456789abcdef01234567", github.tagCommit(REPO, label));
  }
}
