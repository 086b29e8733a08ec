package dev.rebuild.core.pipeline;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.PublishedRelease.ReleaseFile;
import dev.rebuild.core.publish.PublishedRelease.Role;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.VerifyStage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Uploads the committed files of a tag directory to the configured destinations, one after the
 * other. Each destination keeps its own journal in {@code publish/}, saved after every file; one
 * that fails leaves the others as they are (published or not), and the error says what each holds
 * and which command resumes.
 */
final class FilePublisher {

  /** A publish that failed for some destinations; the message names the command that resumes. */
  static final class Failed extends RebuildException {
    private static final long serialVersionUID = 1L;

    Failed(Kind kind, String parameter, String message, Throwable cause) {
      super(kind, parameter, message, cause);
    }
  }

  private FilePublisher() {}

  /**
   * The files to upload: {@code dist/}'s artifacts and the documents about them (provenance, SBOMs,
   * VEX; all already checked against {@code SHA256SUMS}), then a checksums file, the manifest and
   * the verification report under names that carry the label. The checksums file lists every other
   * uploaded file by its uploaded name, so that {@code sha256sum -c} checks a flat download of all
   * of them; it is written to {@code publish/}.
   */
  static PublishedRelease release(TagDirectory dir, ReleaseManifest manifest, String manifestSha256)
      throws RebuildException {
    String label = label(manifest);
    String prefix = manifest.project() + "-" + label;
    List<ReleaseFile> files = new ArrayList<>();
    for (ReleaseManifest.Artifact a : manifest.artifacts()) {
      boolean archive = "archive".equals(a.kind());
      files.add(
          new ReleaseFile(
              a.name(),
              dir.dist().resolve(a.name()),
              a.sha256(),
              a.size(),
              archive ? Role.ARCHIVE : Role.BINARY,
              a.os() == null ? null : a.os() + "-" + a.arch(),
              archive ? format(a.name()) : null));
    }
    // Provenance, SBOMs and the VEX in dist/, checked against SHA256SUMS like the artifacts.
    for (ReleaseManifest.Attachment a : manifest.attachments()) {
      if (a.distName() != null) {
        files.add(
            new ReleaseFile(
                a.distName(),
                dir.dist().resolve(a.distName()),
                a.sha256(),
                a.size(),
                Role.ATTACHMENT,
                null,
                null));
      }
    }
    List<ReleaseFile> extra = new ArrayList<>();
    try {
      extra.add(
          new ReleaseFile(
              prefix + "." + ReleaseManifest.FILE,
              dir.manifestFile(),
              manifestSha256,
              Files.size(dir.manifestFile()),
              Role.MANIFEST,
              null,
              "json"));
      Path report = dir.root().resolve(VerifyStage.REPORT);
      if (Files.isRegularFile(report)) {
        extra.add(
            new ReleaseFile(
                prefix + "." + VerifyStage.REPORT,
                report,
                Digest.of(report).hex(),
                Files.size(report),
                Role.REPORT,
                null,
                "md"));
      }
      StringBuilder sums = new StringBuilder();
      for (ReleaseFile f : files) {
        sums.append(f.sha256()).append("  ").append(f.name()).append('\n');
      }
      for (ReleaseFile f : extra) {
        sums.append(f.sha256()).append("  ").append(f.name()).append('\n');
      }
      byte[] bytes = sums.toString().getBytes(StandardCharsets.UTF_8);
      String name = prefix + "." + TagDirectory.SUMS;
      Files.createDirectories(dir.publishRecords());
      Path sumsFile = dir.publishRecords().resolve(name);
      FileTrees.writeDurably(sumsFile, bytes);
      files.add(
          new ReleaseFile(
              name, sumsFile, Digest.of(sumsFile).hex(), bytes.length, Role.CHECKSUMS, null, null));
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot prepare the files to publish from " + dir.root() + ": " + e.getMessage(), e);
    }
    files.addAll(extra);
    return new PublishedRelease(dir.root(), manifest, manifestSha256, label, files);
  }

  /** The label the build recorded; for an older manifest, the default one. */
  static String label(ReleaseManifest manifest) {
    return manifest
        .label()
        .orElseGet(
            () ->
                new ReleaseNames(
                        manifest.project(),
                        manifest.tag(),
                        GoVersion.parse(manifest.go().version()).number())
                    .label(ReleaseNames.DEFAULT_LABEL));
  }

  private static String format(String name) {
    for (String ext : List.of("tar.gz", "tgz", "zip", "tar.xz", "tar")) {
      if (name.endsWith("." + ext)) {
        return ext;
      }
    }
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : name.substring(dot + 1);
  }

  /**
   * Publishes {@code release} to every destination in order. A destination that fails does not stop
   * the others.
   *
   * @throws Failed when any failed, after all were tried
   */
  static List<PublishRecord> publish(
      TagDirectory dir,
      PublishedRelease release,
      List<Destination> destinations,
      ReleaseListener log)
      throws RebuildException {
    List<PublishRecord> records = new ArrayList<>();
    Map<Destination, RebuildException> failed = new LinkedHashMap<>();
    Map<Destination, Journal> journals = new LinkedHashMap<>();
    for (Destination d : destinations) {
      Journal journal = new Journal(dir.publishRecords(), d.id(), release.manifestSha256());
      journals.put(d, journal);
      log.info(
          "publishing "
              + release.files().size()
              + " files of "
              + release.label()
              + " to "
              + d.id()
              + journal
                  .previous()
                  .map(r -> " (" + r.items().size() + " recorded earlier)")
                  .orElse(""));
      try {
        PublishRecord r = d.publish(release, journal, log);
        journal.save(r);
        records.add(r);
        log.info(d.id() + ": done; record " + journal.file());
      } catch (RebuildException e) {
        failed.put(d, e);
        log.info(d.id() + ": FAILED: " + e.getMessage());
      }
    }
    if (failed.isEmpty()) {
      return records;
    }
    StringBuilder m = new StringBuilder("publishing failed for ");
    m.append(failed.keySet().stream().map(Destination::id).collect(Collectors.joining(", ")));
    for (Map.Entry<Destination, RebuildException> e : failed.entrySet()) {
      m.append("\n").append(e.getKey().id()).append(": ").append(e.getValue().getMessage());
    }
    m.append("\nWhat each destination holds now:");
    for (Destination d : destinations) {
      Journal j = journals.get(d);
      Optional<PublishRecord> r = j.previous();
      m.append("\n  ")
          .append(d.id())
          .append(failed.containsKey(d) ? ": failed; what it holds: " : ": published; ")
          .append(r.map(x -> x.items().size()).orElse(0))
          .append(" entries in ")
          .append(j.file());
    }
    String kinds =
        failed.keySet().stream().map(Destination::kind).distinct().collect(Collectors.joining(","));
    m.append("\nNothing was rolled back. Once the cause is fixed, resume: mvn rebuild:publish")
        .append(" -Drebuild.tagDirectory=")
        .append(dir.root())
        .append(" -Drebuild.publish=")
        .append(kinds)
        .append(" (what a destination already holds is not sent again).");
    RebuildException first = failed.values().iterator().next();
    throw new Failed(first.kind(), first.parameter(), m.toString(), first);
  }

  /** The journal of one destination: {@code publish/<destination>.json}, replaced atomically. */
  static final class Journal implements Destination.Journal {
    private final Path file;
    private final String destination;
    private final String manifestSha256;

    Journal(Path dir, String destination, String manifestSha256) {
      this.destination = destination;
      this.manifestSha256 = manifestSha256;
      this.file =
          dir.resolve(
              new PublishRecord(PublishRecord.SCHEMA, destination, manifestSha256, List.of())
                  .fileName());
    }

    Path file() {
      return file;
    }

    @Override
    public Optional<PublishRecord> previous() {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      return PublishRecord.read(file)
          .filter(
              r ->
                  destination.equals(r.destination()) && manifestSha256.equals(r.manifestSha256()));
    }

    @Override
    public void save(PublishRecord record) throws RebuildException {
      if (!destination.equals(record.destination())
          || !manifestSha256.equals(record.manifestSha256())) {
        throw new IllegalArgumentException(
            "a record of " + record.destination() + " in the journal of " + destination);
      }
      try {
        Files.createDirectories(file.getParent());
        FileTrees.writeDurably(file, record.toJson());
      } catch (IOException e) {
        throw RebuildException.tool(
            "cannot write the publish record " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
