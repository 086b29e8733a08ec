package dev.rebuild.core.pipeline;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.image.ImageException;
import dev.rebuild.core.image.ImageReference;
import dev.rebuild.core.image.LayoutPusher;
import dev.rebuild.core.image.Referrers;
import dev.rebuild.core.image.RegistryClientFactory;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.stage.ImageStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Publishes the committed OCI layouts of a tag directory to their registries. The layouts are
 * checked blob by blob before anything is sent; a re-run sends only what the registry lacks.
 */
final class ImagePublisher {

  private final RegistryClientFactory clients;
  private final ImageStage.Registries registries;

  ImagePublisher(RegistryClientFactory clients, ImageStage.Registries registries) {
    this.clients = clients;
    this.registries = registries;
  }

  /**
   * The provenance stage's documents about {@code image} (provenance, VEX), kept under {@code
   * attestations/} and checked against the manifest by {@link TagDirectory#verifyCommitted}: pushed
   * as referrers of the image's digest, dated by the tag's commit.
   */
  private static List<Referrers.Attachment> documents(
      TagDirectory dir, ReleaseManifest manifest, ReleaseManifest.Image image)
      throws RebuildException {
    List<Referrers.Attachment> out = new ArrayList<>();
    for (ReleaseManifest.Attachment a : manifest.attachments()) {
      if (!image.reference().equals(a.image()) || !image.digest().equals(a.subject())) {
        continue;
      }
      Path file = dir.root().resolve(a.path());
      try {
        out.add(
            ImageStage.attachment(
                a.mediaType(),
                file.getFileName().toString(),
                Files.readAllBytes(file),
                Instant.parse(manifest.commitTime())));
      } catch (IOException e) {
        throw RebuildException.tool("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** One record per image, in manifest order. */
  List<PublishRecord> publish(
      TagDirectory dir, ReleaseManifest manifest, String manifestSha256, ReleaseListener log)
      throws RebuildException {
    List<PublishRecord> out = new ArrayList<>();
    LayoutPusher pusher = new LayoutPusher(clients, ImageStage.imageListener(log));
    for (ReleaseManifest.Image image : manifest.images()) {
      Path layout = dir.root().resolve(image.layout()).normalize();
      if (!layout.startsWith(dir.root().resolve(TagDirectory.IMAGES))) {
        throw RebuildException.badInput(
            "tagDirectory",
            "the manifest names the layout '"
                + image.layout()
                + "' outside "
                + TagDirectory.IMAGES
                + "/; the committed rebuild was changed. Re-run rebuild:release for this tag.");
      }
      String main = image.tags().get(0);
      String name = image.reference().substring(0, image.reference().length() - main.length() - 1);
      ImageReference target;
      List<ImageReference> mountFrom = new ArrayList<>();
      try {
        target = ImageReference.parse(name);
        if (!image.original().startsWith("oci-layout:")
            && !image.original().startsWith("docker-archive:")) {
          mountFrom.add(ImageReference.parse(image.original()));
        }
      } catch (ImageException e) {
        throw RebuildException.badInput(
            "tagDirectory", "bad image in the manifest: " + e.getMessage());
      }
      log.info("image " + layout.getFileName() + " -> " + image.reference());
      LayoutPusher.PushResult r;
      try {
        r =
            pusher.push(
                layout,
                main,
                target,
                image.tags(),
                new LayoutPusher.PushSettings(
                    registries.credentials(),
                    registries.insecureRegistries(),
                    registries.moveTags(),
                    mountFrom),
                image.attached() == null
                    ? null
                    : image.attached().stream()
                        .map(ReleaseManifest.Attached::digest)
                        .collect(Collectors.toSet()),
                documents(dir, manifest, image));
      } catch (ImageException e) {
        throw ImageStage.failure("publishing " + image.reference(), e);
      }
      List<PublishRecord.Item> items = new ArrayList<>();
      items.add(new PublishRecord.Item("image", r.reference(), r.digest(), image.tags()));
      for (String referrer : r.referrers()) {
        items.add(
            new PublishRecord.Item(
                "referrer", target.repositoryName() + "@" + referrer, referrer, List.of()));
      }
      out.add(
          new PublishRecord(
              PublishRecord.SCHEMA, "registry:" + target.repositoryName(), manifestSha256, items));
    }
    return out;
  }
}
