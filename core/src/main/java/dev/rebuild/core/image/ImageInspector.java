package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.image.RegistryClient.Manifest;
import dev.rebuild.core.model.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what a published image holds without changing anything: every Go binary of every platform,
 * with its build information, and the tags of a repository.
 */
public final class ImageInspector {

  /**
   * One Go binary found in an image.
   *
   * @param image the image as given
   * @param platform the platform image it was found in
   * @param path its path in the image, without a leading slash
   */
  public record ImageBinary(String image, Platform platform, String path, BuildInfo info) {
    public ImageBinary {
      Objects.requireNonNull(info, "info");
    }
  }

  private final RegistryClient client;

  public ImageInspector(
      RegistryClientFactory registries,
      CredentialSource credentials,
      Set<String> insecureRegistries) {
    this.client =
        registries.open(
            credentials == null ? CredentialSource.NONE : credentials, insecureRegistries);
  }

  /** The tags of {@code repository} ({@code registry/repo}), sorted; empty when it has none. */
  public List<String> tags(ImageReference repository) throws ImageException {
    return client.listTags(repository.registry(), repository.repository());
  }

  /**
   * The Go binaries of every platform of {@code image} (a registry reference, {@code
   * oci-layout:DIR:REF} or {@code docker-archive:FILE}), in platform and layer order.
   *
   * @throws ImageException when the image does not exist or cannot be read
   */
  public List<ImageBinary> goBinaries(String image) throws ImageException {
    Path work = ImageRebuilder.createTempDirectory("rebuild-inspect-");
    try (ImageSource src = ImageRebuilder.open(image, client, work, "image")) {
      Manifest root = src.root();
      List<ImageBinary> out = new ArrayList<>();
      for (ImageRebuilder.Original o : ImageRebuilder.platforms(src, root, List.of())) {
        JsonNode manifest =
            ImageRebuilder.parse(o.manifest().bytes(), "manifest " + o.manifest().digest());
        int i = 0;
        for (JsonNode layer : manifest.path("layers")) {
          List<BuildInfo> infos = new ArrayList<>();
          List<Layers.GoFile> found =
              ImageRebuilder.scanLayer(
                  src, o, layer.path("digest").asText(), i++, f -> identify(f, infos), work);
          for (int k = 0; k < found.size(); k++) {
            out.add(new ImageBinary(image, o.platform(), found.get(k).path(), infos.get(k)));
          }
        }
      }
      return out;
    } finally {
      ImageRebuilder.deleteTree(work);
    }
  }

  /** Records the build information of each Go binary, in the order the layer scan finds them. */
  private static Optional<String> identify(Path file, List<BuildInfo> infos) throws IOException {
    Optional<BuildInfo> info = GoBuildInfoIdentifier.buildInfo(file);
    info.ifPresent(infos::add);
    return info.map(BuildInfo::path);
  }
}
