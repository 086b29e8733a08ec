package dev.rebuild.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.testing.RecordingReleaseListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit protocol of the tag directory on real files: what a commit puts in place, what it
 * removes, what a reader refuses, and how a half-done commit is finished.
 */
class TagDirectoryTest {

  @TempDir Path tmp;
  final List<String> log = new ArrayList<>();

  TagDirectory dir() {
    return new TagDirectory(tmp.resolve("v1.0.0"), new RecordingReleaseListener(log));
  }

  /** Stages {@code files} (name -> content) as dist/ and returns the manifest that lists them. */
  static ReleaseManifest stage(TagDirectory d, String go, String... files) throws Exception {
    Path staging = d.newStaging();
    Path dist = Files.createDirectories(staging.resolve(TagDirectory.DIST));
    List<ReleaseManifest.Artifact> artifacts = new ArrayList<>();
    for (int i = 0; i < files.length; i += 2) {
      Path f = dist.resolve(files[i]);
      Files.writeString(f, files[i + 1]);
      artifacts.add(
          new ReleaseManifest.Artifact(
              files[i], "binary", "linux", "amd64", Files.size(f), Digest.of(f).hex(), List.of()));
    }
    return new ReleaseManifest(
        ReleaseManifest.SCHEMA,
        "demo",
        "example.com/demo",
        "v1.0.0",
        "1.0.0",
        "c0ffee",
        "2024-01-01T00:00:00Z",
        "/src",
        new ReleaseManifest.Toolchain(go, "test", null, null),
        null,
        artifacts,
        new TreeMap<>());
  }

  @Test
  void aCommitPutsExactlyTheStagedFilesInPlaceWithTheManifestLast() throws Exception {
    TagDirectory d = dir();
    ReleaseManifest a = stage(d, "go1.22.0", "app-linux-amd64", "A");
    Files.createDirectories(d.staging().resolve(TagDirectory.IMAGES).resolve("demo"));
    Files.writeString(d.staging().resolve(TagDirectory.IMAGES).resolve("demo/oci-layout"), "{}");
    d.commit(a);
    assertEquals(a.toJson().length, Files.size(d.manifestFile()));
    assertEquals(
        Digest.of(d.dist().resolve("app-linux-amd64")).hex() + "  app-linux-amd64\n",
        Files.readString(d.checksums()));
    assertTrue(Files.exists(d.root().resolve("images/demo/oci-layout")));
    assertEquals(a.toJson().length, d.verifyCommitted().toJson().length);
    assertFalse(Files.exists(d.staging()));
    assertFalse(Files.exists(d.root().resolve(".commit")));
    assertFalse(Files.exists(d.root().resolve(".trash")));

    // A second commit without images and with other files removes what the first had.
    ReleaseManifest b = stage(d, "go1.22.1", "other-linux-amd64", "B");
    d.commit(b);
    assertFalse(Files.exists(d.root().resolve(TagDirectory.IMAGES)));
    assertEquals(List.of("other-linux-amd64"), list(d.dist()));
    assertArrayEquals(b.toJson(), Files.readAllBytes(d.manifestFile()));
    assertTrue(
        log.stream()
            .anyMatch(
                l ->
                    l.contains("replacing the earlier rebuild of v1.0.0")
                        && l.contains("go1.22.0")),
        log::toString);
  }

  @Test
  void aReaderRefusesAnUncommittedOrChangedDirectoryNamingTheFirstMismatch() throws Exception {
    TagDirectory d = dir();
    Files.createDirectories(d.root());
    RebuildException none = assertThrows(RebuildException.class, d::verifyCommitted);
    assertTrue(none.getMessage().contains("is not committed"), none.getMessage());

    d.commit(stage(d, "go1.22.0", "a", "AAA", "b", "BBB"));
    d.verifyCommitted();

    Files.writeString(d.dist().resolve("b"), "BBX");
    RebuildException changed = assertThrows(RebuildException.class, d::verifyCommitted);
    assertTrue(
        changed.getMessage().contains(d.dist().resolve("b") + " has sha256"), changed.getMessage());
    assertTrue(changed.getMessage().contains("nothing was published"), changed.getMessage());
    Files.writeString(d.dist().resolve("b"), "BBB");

    Files.writeString(d.dist().resolve("extra"), "x");
    RebuildException extra = assertThrows(RebuildException.class, d::verifyCommitted);
    assertTrue(extra.getMessage().contains("no checksum covers: [extra]"), extra.getMessage());
    Files.delete(d.dist().resolve("extra"));

    Files.delete(d.dist().resolve("a"));
    RebuildException missing = assertThrows(RebuildException.class, d::verifyCommitted);
    assertTrue(
        missing.getMessage().contains(d.dist().resolve("a") + " is missing"), missing.getMessage());
  }

  @Test
  void checksumsThatDisagreeWithTheManifestAreRefused() throws Exception {
    TagDirectory d = dir();
    d.commit(stage(d, "go1.22.0", "a", "AAA"));
    Files.writeString(d.checksums(), "0".repeat(64) + "  a\n", StandardCharsets.UTF_8);
    RebuildException e = assertThrows(RebuildException.class, d::verifyCommitted);
    assertTrue(e.getMessage().contains("does not list the artifacts"), e.getMessage());
  }

  @Test
  void recoveryDiscardsAnIncompleteStagingAndKeepsTheCommittedState() throws Exception {
    TagDirectory d = dir();
    ReleaseManifest a = stage(d, "go1.22.0", "a", "AAA");
    d.commit(a);
    stage(d, "go1.22.1", "a", "NEW");
    d.recover();
    assertFalse(Files.exists(d.staging()));
    assertArrayEquals(a.toJson(), Files.readAllBytes(d.manifestFile()));
    assertEquals("AAA", Files.readString(d.dist().resolve("a")));
  }

  @Test
  void recoveryFinishesACommitThatWasInterruptedHalfWay() throws Exception {
    TagDirectory d = dir();
    d.commit(stage(d, "go1.22.0", "a", "AAA"));
    // A commit killed right after it moved dist/ into place: the rest of .commit/ is left.
    List<String> debug = new ArrayList<>();
    TagDirectory killed =
        new TagDirectory(
            d.root(),
            new RecordingReleaseListener(debug) {
              @Override
              public void debug(String message) {
                if (message.equals("commit: moved dist into place")) {
                  throw new Killed();
                }
              }
            });
    ReleaseManifest b = stage(killed, "go1.22.1", "a", "BBB");
    assertThrows(Killed.class, () -> killed.commit(b));
    assertFalse(Files.exists(d.manifestFile()), "half-way, the directory is not committed");
    assertThrows(RebuildException.class, d::verifyCommitted);

    d.recover();
    assertArrayEquals(b.toJson(), Files.readAllBytes(d.manifestFile()));
    assertEquals("BBB", Files.readString(d.dist().resolve("a")));
    d.verifyCommitted();
    assertFalse(Files.exists(d.root().resolve(".commit")));
    assertFalse(Files.exists(d.root().resolve(".trash")));
  }

  @Test
  void aSecondRunOnTheSameDirectoryFailsNamingTheHolder() throws Exception {
    Path root = tmp.resolve("v1.0.0");
    try (TagLock held = TagLock.acquire(root, Clock.systemUTC())) {
      RebuildException e =
          assertThrows(RebuildException.class, () -> TagLock.acquire(root, Clock.systemUTC()));
      assertTrue(e.getMessage().contains("another rebuild is working in " + root), e.getMessage());
      assertTrue(
          e.getMessage().contains("pid " + ProcessHandle.current().pid() + " on "), e.getMessage());
      assertEquals("outputDirectory", e.parameter());
    }
    TagLock.acquire(root, Clock.systemUTC()).close();
  }

  @Test
  void aNewCommitDropsThePublishRecordsOfTheOldManifest() throws Exception {
    TagDirectory d = dir();
    d.commit(stage(d, "go1.22.0", "a", "AAA"));
    String sha = Digest.of(d.manifestFile()).hex();
    PublishRecord r =
        new PublishRecord(PublishRecord.SCHEMA, "registry:127.0.0.1:5000/demo", sha, List.of());
    Files.createDirectories(d.publishRecords());
    Files.write(d.publishRecords().resolve(r.fileName()), r.toJson());

    d.commit(stage(d, "go1.22.0", "a", "AAA"));
    assertTrue(Files.exists(d.publishRecords().resolve(r.fileName())), "same bytes: still true");
    d.commit(stage(d, "go1.22.1", "a", "BBB"));
    assertFalse(Files.exists(d.publishRecords().resolve(r.fileName())), "stale after new bytes");
  }

  /** Stands for the process dying at a point of the commit. */
  static final class Killed extends RuntimeException {}

  static List<String> list(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
