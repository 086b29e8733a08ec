package dev.rebuild.core.git;

import static dev.rebuild.core.testing.GoFixtures.GO_1_22;
import static dev.rebuild.core.testing.GoFixtures.demoRepository;
import static dev.rebuild.core.testing.GoFixtures.git;
import static dev.rebuild.core.testing.GoFixtures.requireGo;
import static dev.rebuild.core.testing.GoFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.pipeline.RebuildResult;
import dev.rebuild.core.pipeline.ReleasePipeline;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.testing.RecordingReleaseListener;
import dev.rebuild.core.toolchain.ToolchainSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bare repositories, mirrors and {@code file://} URLs as the source, with real git repositories;
 * the user's repository must stay exactly as it was.
 */
class GitSourceBareTest {

  @TempDir static Path shared;
  static Path work;
  static Path mirror;
  static Path bare;
  static String tagCommit;
  static Map<Path, String> before = new TreeMap<>();

  @BeforeAll
  static void repositories() throws Exception {
    work = shared.resolve("work");
    tagCommit = demoRepository(work);
    mirror = shared.resolve("demo mirror.git");
    bare = shared.resolve("demo-bare.git");
    git(shared, "clone", "-q", "--mirror", work.toString(), mirror.toString());
    git(shared, "clone", "-q", "--bare", work.toString(), bare.toString());
    for (Path repo : List.of(work, mirror, bare)) {
      before.put(repo, snapshot(repo));
    }
  }

  /** Every test only read the repositories: refs, file list, sizes, mtimes and bytes are equal. */
  @AfterAll
  static void repositoriesAreUntouched() throws Exception {
    for (Path repo : List.of(work, mirror, bare)) {
      assertEquals(before.get(repo), snapshot(repo), "the source repository " + repo + " changed");
    }
  }

  static GitSource source(String location) {
    return new GitSource(location, new CommonsExecProcessRunner(), System.getenv());
  }

  /** {@code for-each-ref} plus every file with its size, mtime and SHA-256. */
  static String snapshot(Path repo) throws IOException {
    StringBuilder s = new StringBuilder(git(repo, "for-each-ref"));
    try (Stream<Path> files = Files.walk(repo)) {
      for (Path f : files.sorted().toList()) {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        s.append(repo.relativize(f))
            .append(a.isDirectory() ? "/" : " " + a.size() + " " + sha256(f))
            .append(' ')
            .append(a.lastModifiedTime().toMillis())
            .append('\n');
      }
    }
    return s.toString();
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Resolves v1.0.0 from {@code location}, checks it out twice (clone, then reuse) into dir. */
  static void resolvesAndChecksOut(String location, Path dir) throws Exception {
    GitSource source = source(location);
    assertEquals(tagCommit, source.resolveTag("v1.0.0"));
    Path src = dir.resolve("src");
    for (int i = 0; i < 2; i++) {
      source.checkout("v1.0.0", tagCommit, src);
      assertEquals(tagCommit, git(src, "rev-parse", "HEAD").trim());
      assertTrue(
          Files.readString(src.resolve("cmd/hello/main.go")).contains("at the tag"), location);
      assertEquals("", git(src, "status", "--porcelain"));
    }
    assertEquals(
        "2024-03-01T12:00:00Z", source.commitTime(src, tagCommit).toString(), "commit time");
  }

  @Test
  void aMirrorRebuildsTheTagThroughTheWholePipeline(@TempDir Path out) throws Exception {
    Path go122 = requireGo(GO_1_22);
    List<String> log = new ArrayList<>();
    RebuildResult result =
        pipeline(log)
            .release(
                new RebuildRequest(
                    mirror.toString(),
                    "v1.0.0",
                    GO_1_22,
                    new Recipe(
                        null,
                        Platform.parseList("linux/amd64"),
                        List.of(),
                        NameTemplate.parse(
                            "-X main.version={version}", NameTemplate.RELEASE_PLACEHOLDERS),
                        List.of(),
                        false,
                        List.of(),
                        new TreeMap<>(Map.of("CGO_ENABLED", "0")),
                        null),
                    out,
                    1));
    assertEquals(tagCommit, result.manifest().commit());
    assertTrue(log.contains("tag v1.0.0 is commit " + tagCommit + " of " + mirror), log.toString());
    Path src = out.resolve("v1.0.0/src");
    assertEquals(tagCommit, git(src, "rev-parse", "HEAD").trim());

    Path hello = out.resolve("v1.0.0/dist/hello-linux-amd64");
    assertEquals("hello 1.0.0 (at the tag)\n", run(out, Map.of(), hello.toString()));
    String m =
        run(out, Map.of(), go122.resolve("bin/go").toString(), "version", "-m", hello.toString());
    assertTrue(m.contains("\tbuild\tvcs.revision=" + tagCommit + "\n"), m);
    assertTrue(m.contains("\tbuild\tvcs.modified=false\n"), m);
  }

  @Test
  void aMirrorIsASource(@TempDir Path dir) throws Exception {
    resolvesAndChecksOut(mirror.toString(), dir);
  }

  @Test
  void aBareCloneIsASource(@TempDir Path dir) throws Exception {
    resolvesAndChecksOut(bare.toString(), dir);
  }

  @Test
  void fileUrlsOfAMirrorABareCloneAndAWorkTreeAreSources(@TempDir Path dir) throws Exception {
    // As written by hand, with the space in "demo mirror.git" as is and percent-encoded.
    resolvesAndChecksOut("file://" + mirror, dir.resolve("mirror"));
    resolvesAndChecksOut(mirror.toUri().toString(), dir.resolve("mirror-uri"));
    resolvesAndChecksOut("file://" + bare, dir.resolve("bare"));
    resolvesAndChecksOut("file://" + work, dir.resolve("work"));
    resolvesAndChecksOut("file://localhost" + work, dir.resolve("work-localhost"));
  }

  @Test
  void aMissingFileUrlIsNamedLikeAMissingPath() {
    Path missing = shared.resolve("no-such-repo.git");
    for (String location :
        List.of("file://" + missing, missing.toString(), "file://" + missing + "%00")) {
      RebuildException e =
          assertThrows(RebuildException.class, () -> source(location).resolveTag("v1.0.0"));
      assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
      assertEquals("source", e.parameter());
      assertTrue(e.getMessage().contains(location), e.getMessage());
      assertTrue(e.getMessage().contains(" does not exist"), e.getMessage());
      assertTrue(e.getMessage().contains("rebuild.source (<source>)"), e.getMessage());
      assertTrue(e.getMessage().contains("bare repository or mirror"), e.getMessage());
    }
  }

  @Test
  void directoriesThatAreNotARepositoryRootAreStillRefused() throws Exception {
    Path plain = Files.createDirectories(shared.resolve("plain"));
    assertRefused(plain.toString(), "is not a git repository");
    assertRefused("file://" + plain, "is not a git repository");
    assertRefused(work.resolve("cmd").toString(), "inside the work tree " + work.toRealPath());
    assertRefused("file://" + work.resolve("cmd"), "inside the work tree");
    assertRefused(mirror.resolve("refs").toString(), "inside the bare repository");
    assertRefused(work.resolve(".git").toString(), "the .git directory of a work tree");
  }

  static void assertRefused(String location, String why) {
    RebuildException e =
        assertThrows(RebuildException.class, () -> source(location).resolveTag("v1.0.0"));
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertEquals("source", e.parameter());
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertTrue(e.getMessage().contains("rebuild.source (<source>)"), e.getMessage());
  }

  @Test
  void fileUrlsAreReadAsGitReadsThem() {
    assertEquals(Path.of("/srv/a b.git"), GitSource.fileUrlPath("file:///srv/a%20b.git"));
    assertEquals(Path.of("/srv/a b.git"), GitSource.fileUrlPath("file:///srv/a b.git"));
    assertEquals(Path.of("/srv/r.git"), GitSource.fileUrlPath("file://localhost/srv/r.git"));
    assertEquals(Path.of("/srv/100%"), GitSource.fileUrlPath("file:///srv/100%"));
    assertEquals(Path.of("/srv/é"), GitSource.fileUrlPath("file:///srv/%C3%A9"));
    assertEquals(Path.of("/srv/\uD83D\uDE00"), GitSource.fileUrlPath("file:///srv/\uD83D\uDE00"));
    assertEquals(Path.of("/gtest/r.git"), GitSource.fileUrlPath("file://tmp/gtest/r.git"));
  }

  static ReleasePipeline pipeline(List<String> log) {
    ToolchainSettings settings = ToolchainSettings.builder().goroot(requireGo(GO_1_22)).build();
    return RecordingReleaseListener.pipeline(settings, log);
  }
}
