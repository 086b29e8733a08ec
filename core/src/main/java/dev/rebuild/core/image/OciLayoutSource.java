package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.image.RegistryClient.Manifest;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** An image in an OCI image layout directory, chosen by its {@code ref.name} annotation. */
final class OciLayoutSource implements ImageSource {
  static final String REF_NAME = "org.opencontainers.image.ref.name";

  private final Path dir;
  private final String refName;
  private final Set<String> verified = new HashSet<>();

  OciLayoutSource(Path dir, String refName) {
    this.dir = dir;
    this.refName = refName;
  }

  @Override
  public Manifest root() throws ImageException {
    Path indexFile = dir.resolve("index.json");
    if (!Files.isRegularFile(indexFile)) {
      throw ImageException.badInput(
          dir
              + " is not an OCI image layout (no index.json): give oci-layout:DIR:REF with DIR"
              + " written by skopeo, umoci or a rebuild");
    }
    byte[] bytes = readBounded(indexFile, "the index.json of the OCI layout " + dir);
    RegistryClient.descriptors(
        new Manifest(MediaTypes.OCI_INDEX, bytes, ""), "the index.json of the OCI layout " + dir);
    JsonNode index;
    try {
      index = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new ImageException("cannot read " + indexFile + ": " + e.getMessage(), e);
    }
    List<String> names = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      String name = m.path("annotations").path(REF_NAME).asText("");
      names.add(name);
      if (name.equals(refName)) {
        return read(m.path("mediaType").asText(), m.path("digest").asText());
      }
    }
    throw ImageException.badInput(
        "no image named '"
            + refName
            + "' in the OCI layout "
            + dir
            + "; it holds: "
            + String.join(", ", names.stream().sorted().toList()));
  }

  @Override
  public Manifest manifest(String digest) throws ImageException {
    return read(null, digest);
  }

  private Manifest read(String mediaType, String digest) throws ImageException {
    Path file = file(digest);
    String name = "manifest " + digest + " of the OCI layout " + dir;
    byte[] bytes = readBounded(file, name);
    if (!Digest.of(bytes).equals(Digest.parse(digest))) {
      throw new ImageException("blob " + digest + " in " + dir + " does not match its digest");
    }
    verified.add(digest);
    RegistryClient.descriptors(new Manifest(mediaType, bytes, digest), name);
    try {
      String type = mediaType;
      if (type == null || type.isEmpty()) {
        type = new ObjectMapper().readTree(bytes).path("mediaType").asText("");
      }
      return new Manifest(type, bytes, digest);
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A JSON file of at most {@link LayoutPusher#MAX_JSON_BYTES}; the size is checked first so that
   * the refusal names the input layout, not a layout this tool wrote.
   */
  private static byte[] readBounded(Path file, String name) throws ImageException {
    try {
      long size = Files.size(file);
      if (size > LayoutPusher.MAX_JSON_BYTES) {
        throw ImageException.badInput(
            name
                + " ("
                + file
                + ") is "
                + size
                + " bytes, larger than the "
                + LayoutPusher.MAX_JSON_BYTES
                + " a manifest or index may have; refused");
      }
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return LayoutPusher.readJsonFile(file, name);
  }

  @Override
  public Path blob(String digest) throws ImageException {
    Path file = file(digest);
    if (verified.contains(digest)) {
      return file;
    }
    try {
      if (!Digest.of(file).equals(Digest.parse(digest))) {
        throw new ImageException("blob " + digest + " in " + dir + " does not match its digest");
      }
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
    verified.add(digest);
    return file;
  }

  private Path file(String digest) throws ImageException {
    Digest d;
    try {
      d = Digest.parse(digest);
    } catch (IllegalArgumentException e) {
      throw new ImageException("the OCI layout " + dir + " names a bad digest " + digest);
    }
    Path file = dir.resolve("blobs").resolve("sha256").resolve(d.hex());
    if (!Files.isRegularFile(file)) {
      throw new ImageException("blob " + digest + " is missing from the OCI layout " + dir);
    }
    return file;
  }

  @Override
  public Optional<ImageReference> registryReference() {
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "oci-layout:" + dir + ":" + refName;
  }
}
