package dev.rebuild.core.pipeline;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.stage.VerifyStage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The tag directory {@code <outputRoot>/<tag>/} and its commit protocol.
 *
 * <p>The build phase writes everything into {@code staging/}. Committing writes {@code SHA256SUMS}
 * and then the manifest into it, renames it to {@code .commit/} (from then on the new state is
 * complete on disk and any later run finishes the commit), moves the previous committed files into
 * {@code .trash/}, moves the new ones into place, and the manifest last. A tag directory without
 * {@code rebuild-manifest.json} is not committed, whatever else it holds. {@link #recover()}, run
 * under the lock before any phase, rolls an interrupted commit forward or discards an incomplete
 * staging directory, so that after any crash either the previous committed state or the new one is
 * in place.
 */
public final class TagDirectory {

  public static final String DIST = "dist";
  public static final String SUMS = "SHA256SUMS";
  public static final String IMAGES = "images";

  /** Publish records, one per destination; written by the publish phase, never committed. */
  public static final String PUBLISH = "publish";

  /** What a commit puts in place; the manifest comes after these. */
  static final List<String> COMMITTED =
      List.of(
          DIST,
          IMAGES,
          ProvenanceStage.ATTESTATIONS,
          SUMS,
          VerifyStage.REPORT,
          VerifyStage.REPORT_DIRECTORY);

  private static final String STAGING = "staging";
  private static final String COMMIT = ".commit";
  private static final String TRASH = ".trash";

  private final Path root;
  private final ReleaseListener listener;

  public TagDirectory(Path root, ReleaseListener listener) {
    this.root = root;
    this.listener = listener;
  }

  public Path root() {
    return root;
  }

  /** The private clean checkout of the tag. */
  public Path checkout() {
    return root.resolve("src");
  }

  /** Intermediate files: per-target build output, unpacked archives, downloaded originals. */
  public Path work() {
    return root.resolve("work");
  }

  /** Where the build phase writes what the commit puts in place. */
  public Path staging() {
    return root.resolve(STAGING);
  }

  public Path dist() {
    return root.resolve(DIST);
  }

  public Path checksums() {
    return root.resolve(SUMS);
  }

  public Path manifestFile() {
    return root.resolve(ReleaseManifest.FILE);
  }

  public Path publishRecords() {
    return root.resolve(PUBLISH);
  }

  /** Empties {@link #staging()} for a new build and returns it. */
  public Path newStaging() throws RebuildException {
    try {
      FileTrees.deleteTree(staging());
      return Files.createDirectories(staging());
    } catch (IOException e) {
      throw RebuildException.tool("cannot prepare " + staging() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Finishes a commit a killed run left in {@code .commit/}, or discards its {@code staging/}. Call
   * it holding the {@link TagLock}.
   */
  public void recover() throws RebuildException {
    try {
      Path commit = root.resolve(COMMIT);
      if (Files.isDirectory(commit)) {
        if (Files.exists(commit.resolve(ReleaseManifest.FILE))) {
          listener.info("finishing the commit an interrupted run left in " + commit);
          rollForward();
        } else {
          FileTrees.deleteTree(commit);
        }
      }
      if (Files.exists(staging())) {
        listener.info("discarding " + staging() + ", left by an earlier run that did not commit");
        FileTrees.deleteTree(staging());
      }
      FileTrees.deleteTree(root.resolve(TRASH));
      // A run killed between placing the manifest and dropping the old records leaves them.
      if (Files.exists(manifestFile())) {
        dropStalePublishRecords(Digest.of(manifestFile()).hex());
      }
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot recover " + root + " after an interrupted run: " + e.getMessage(), e);
    }
  }

  /** The committed manifest, or empty when the directory is not committed. */
  public Optional<ReleaseManifest> committed() throws RebuildException {
    Path file = manifestFile();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      return Optional.of(ReleaseManifest.read(bytes));
    } catch (IOException e) {
      throw RebuildException.badInput(
          "tagDirectory",
          file
              + " is not a rebuild manifest ("
              + e.getMessage()
              + ")\nRe-run rebuild:release for this tag to write it anew.");
    }
  }

  /**
   * {@code SHA256SUMS} for the manifest's artifacts, then its attachments in {@code dist/}
   * (provenance, VEX, SBOMs), in {@code sha256sum -c} form.
   */
  static byte[] checksums(ReleaseManifest manifest) {
    StringBuilder lines = new StringBuilder();
    distFiles(manifest)
        .forEach((name, sha) -> lines.append(sha).append("  ").append(name).append('\n'));
    return lines.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Every file the manifest puts in {@code dist/}, in {@code SHA256SUMS} order, to its sha256. */
  static Map<String, String> distFiles(ReleaseManifest manifest) {
    Map<String, String> files = new LinkedHashMap<>();
    manifest.artifacts().forEach(a -> files.put(a.name(), a.sha256()));
    for (ReleaseManifest.Attachment a : manifest.attachments()) {
      if (a.distName() != null) {
        files.putIfAbsent(a.distName(), a.sha256());
      }
    }
    return files;
  }

  /**
   * Commits {@link #staging()} with {@code manifest}: after this returns, the tag directory holds
   * exactly the staged files, {@code SHA256SUMS} and the manifest.
   */
  public void commit(ReleaseManifest manifest) throws RebuildException {
    Path staging = staging();
    try {
      Optional<ReleaseManifest> previous = committed();
      byte[] bytes = manifest.toJson();
      if (previous.isPresent()) {
        ReleaseManifest p = previous.get();
        boolean same = Arrays.equals(p.toJson(), bytes);
        listener.info(
            same
                ? "the new rebuild is byte for byte the committed one of "
                    + p.tag()
                    + " (built with "
                    + p.go().version()
                    + "): replacing it with itself"
                : "replacing the earlier rebuild of "
                    + p.tag()
                    + " in "
                    + root
                    + ", built with "
                    + p.go().version()
                    + " from commit "
                    + p.commit());
      }
      writeDurably(staging.resolve(SUMS), checksums(manifest));
      List<String> entries = new ArrayList<>();
      for (String name : COMMITTED) {
        if (Files.exists(staging.resolve(name))) {
          entries.add(name);
        }
      }
      writeDurably(
          staging.resolve(ENTRIES),
          (String.join("\n", entries) + "\n").getBytes(StandardCharsets.UTF_8));
      writeDurably(staging.resolve(ReleaseManifest.FILE), bytes);
      listener.debug("commit: staged " + staging);
      Files.move(staging, root.resolve(COMMIT), StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(root);
      listener.debug("commit: renamed staging to " + COMMIT);
      rollForward();
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot commit the outputs in " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves {@code .commit/} into place. Idempotent: a run killed half-way through is finished by the
   * next one. What {@code .commit/} still holds is new; what it no longer holds was moved.
   */
  private void rollForward() throws IOException {
    Path commit = root.resolve(COMMIT);
    Path trash = Files.createDirectories(root.resolve(TRASH));
    Path manifest = manifestFile();
    // Uncommit first: from here until the new manifest is in place no reader trusts the directory.
    if (Files.exists(manifest)) {
      Files.move(
          manifest, trash.resolve(ReleaseManifest.FILE), StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> entries = Files.readAllLines(commit.resolve(ENTRIES), StandardCharsets.UTF_8);
    for (String name : COMMITTED) {
      Path next = commit.resolve(name);
      Path current = root.resolve(name);
      boolean isNew = entries.contains(name);
      if (isNew && !Files.exists(next)) {
        continue; // moved before the interruption
      }
      if (Files.exists(current)) {
        Path old = trash.resolve(name);
        FileTrees.deleteTree(old);
        Files.move(current, old, StandardCopyOption.ATOMIC_MOVE);
      }
      if (isNew) {
        Files.move(next, current, StandardCopyOption.ATOMIC_MOVE);
        listener.debug("commit: moved " + name + " into place");
      }
    }
    Files.move(commit.resolve(ReleaseManifest.FILE), manifest, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(root);
    listener.debug("commit: manifest in place");
    FileTrees.deleteTree(commit);
    FileTrees.deleteTree(trash);
    dropStalePublishRecords(Digest.of(manifest).hex());
  }

  private static final String ENTRIES = ".entries";

  /** Publish records describe one committed manifest; a new commit makes the others stale. */
  private void dropStalePublishRecords(String manifestSha256) throws IOException {
    Path dir = publishRecords();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Optional<PublishRecord> r = PublishRecord.read(f);
        if (r.isEmpty() || !manifestSha256.equals(r.get().manifestSha256())) {
          Files.delete(f);
        }
      }
    }
  }

  /**
   * Makes the renames in {@code dir} durable across a power loss, where the file system allows
   * opening a directory (Linux, macOS); elsewhere the renames are as durable as the OS makes them.
   */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not supported here (Windows): the commit is still atomic against a killed process.
    }
  }

  private static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
  }

  /**
   * Checks the committed directory before anything leaves the machine: committed, {@code
   * SHA256SUMS} listing exactly the manifest's artifacts, and every file of {@code dist/} matching.
   *
   * @return the manifest
   * @throws RebuildException naming the first mismatch
   */
  public ReleaseManifest verifyCommitted() throws RebuildException {
    ReleaseManifest manifest =
        committed()
            .orElseThrow(
                () ->
                    RebuildException.badInput(
                        "tagDirectory",
                        root
                            + " is not committed: it has no "
                            + ReleaseManifest.FILE
                            + " (the run that built it failed or was killed before its commit)."
                            + "\nRun rebuild:release for this tag first."));
    Map<String, String> listed;
    try {
      listed = parseChecksums(Files.readString(checksums(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw mismatch("cannot read " + checksums() + ": " + e.getMessage());
    }
    Map<String, String> expected = distFiles(manifest);
    if (!listed.equals(expected)) {
      throw mismatch(
          checksums()
              + " does not list the artifacts and attachments "
              + ReleaseManifest.FILE
              + " records");
    }
    TreeSet<String> present = new TreeSet<>();
    try (Stream<Path> files = Files.list(dist())) {
      files.forEach(f -> present.add(f.getFileName().toString()));
    } catch (IOException e) {
      throw mismatch("cannot list " + dist() + ": " + e.getMessage());
    }
    for (Map.Entry<String, String> e : listed.entrySet()) {
      Path file = dist().resolve(e.getKey());
      if (!present.remove(e.getKey())) {
        throw mismatch(file + " is missing");
      }
      String actual;
      try {
        actual = Digest.of(file).hex();
      } catch (IOException ex) {
        throw mismatch("cannot read " + file + ": " + ex.getMessage());
      }
      if (!actual.equals(e.getValue())) {
        throw mismatch(file + " has sha256 " + actual + ", " + SUMS + " says " + e.getValue());
      }
    }
    if (!present.isEmpty()) {
      throw mismatch(dist() + " holds files no checksum covers: " + present);
    }
    for (ReleaseManifest.Attachment a : manifest.attachments()) {
      if (a.distName() == null) {
        checkAttachment(a);
      }
    }
    return manifest;
  }

  /** An image's document under {@code attestations/}: in place, with the recorded sha256. */
  private void checkAttachment(ReleaseManifest.Attachment a) throws RebuildException {
    Path base = root.resolve(ProvenanceStage.ATTESTATIONS);
    Path file = root.resolve(a.path()).normalize();
    if (!file.startsWith(base)) {
      throw mismatch(
          ReleaseManifest.FILE + " names an attachment outside " + base + ": " + a.path());
    }
    String actual;
    try {
      actual = Digest.of(file).hex();
    } catch (IOException e) {
      throw mismatch("cannot read " + file + ": " + e.getMessage());
    }
    if (!actual.equals(a.sha256())) {
      throw mismatch(
          file + " has sha256 " + actual + ", " + ReleaseManifest.FILE + " says " + a.sha256());
    }
  }

  private RebuildException mismatch(String what) {
    return RebuildException.badInput(
        "tagDirectory",
        what
            + "\nThe committed rebuild in "
            + root
            + " was changed after its commit; nothing was published. Re-run rebuild:release for"
            + " this tag.");
  }

  /** Parses {@code sha256sum} lines: {@code <hex> <name>}. */
  static Map<String, String> parseChecksums(String text) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (!line.matches("[0-9a-f]{64} [ *][^/\\\\]+")) {
        throw new IOException("malformed line in " + SUMS + ": " + line);
      }
      out.put(line.substring(66), line.substring(0, 64));
    }
    return out;
  }
}
