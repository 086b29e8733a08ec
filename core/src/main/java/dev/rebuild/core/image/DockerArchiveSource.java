package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.image.RegistryClient.Manifest;
import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A {@code docker save} tarball ({@code manifest.json}, a config and layer tars), seen as an OCI
 * image: the config as it is, the layers as uncompressed OCI layers of the same digests.
 */
final class DockerArchiveSource implements ImageSource {
  private final Path archive;
  private final Manifest root;
  private final Map<String, Path> blobs;

  private DockerArchiveSource(Path archive, Manifest root, Map<String, Path> blobs) {
    this.archive = archive;
    this.root = root;
    this.blobs = blobs;
  }

  static DockerArchiveSource open(Path archive, Path cache) throws ImageException {
    if (!Files.isRegularFile(archive)) {
      throw ImageException.badInput(
          "docker archive " + archive + " does not exist: give docker-archive:FILE of docker save");
    }
    Map<String, Path> files = new HashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      // docker save writes plain files, so what they unpack to is at most the archive's size; only
      // a sparse entry, which docker never writes, could claim more.
      long budget = Files.size(archive);
      TarArchiveEntry e;
      int n = 0;
      int entries = 0;
      while ((e = tar.getNextEntry()) != null) {
        if (++entries > ArchiveLimits.DOCKER_ARCHIVE_ENTRIES) {
          throw ImageException.badInput(
              archive
                  + " holds more than "
                  + ArchiveLimits.DOCKER_ARCHIVE_ENTRIES
                  + " entries: it is no docker save archive");
        }
        if (!e.isFile()) {
          continue;
        }
        if (e.isSparse()) {
          throw ImageException.badInput(
              archive + ": " + e.getName() + " is a sparse file, which docker save never writes");
        }
        Path f = cache.resolve("entry-" + n++);
        // Not closed: that would close the archive.
        LimitedInputStream in =
            new LimitedInputStream(tar, budget, "the entries of " + archive.getFileName());
        Files.copy(in, f);
        budget -= in.count();
        files.put(Layers.normalize(e.getName()), f);
      }
    } catch (IOException e) {
      throw new ImageException(
          "cannot read the docker archive " + archive + ": " + e.getMessage(), e);
    }
    Path manifestFile = files.get("manifest.json");
    if (manifestFile == null) {
      throw ImageException.badInput(
          archive + " has no manifest.json: it is no docker save archive");
    }
    try {
      ObjectMapper json = new ObjectMapper();
      JsonNode list = json.readTree(Files.readAllBytes(manifestFile));
      if (!list.isArray() || list.isEmpty()) {
        throw ImageException.badInput(archive + ": manifest.json lists no image");
      }
      JsonNode first = list.get(0);
      Map<String, Path> blobs = new HashMap<>();
      Path config = need(files, first.path("Config").asText(), archive);
      String configDigest = Digest.of(config).toString();
      blobs.put(configDigest, config);
      ObjectNode m = json.createObjectNode();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaTypes.OCI_MANIFEST);
      ObjectNode cd = m.putObject("config");
      cd.put("mediaType", MediaTypes.OCI_CONFIG);
      cd.put("digest", configDigest);
      cd.put("size", Files.size(config));
      ArrayNode layers = m.putArray("layers");
      for (JsonNode l : first.path("Layers")) {
        Path layer = need(files, l.asText(), archive);
        String d = Digest.of(layer).toString();
        blobs.put(d, layer);
        ObjectNode ld = layers.addObject();
        boolean gzip;
        try (var in = Files.newInputStream(layer)) {
          byte[] magic = in.readNBytes(2);
          gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        }
        ld.put("mediaType", gzip ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER);
        ld.put("digest", d);
        ld.put("size", Files.size(layer));
      }
      byte[] bytes = json.writeValueAsBytes(m);
      return new DockerArchiveSource(
          archive,
          new Manifest(MediaTypes.OCI_MANIFEST, bytes, Digest.of(bytes).toString()),
          blobs);
    } catch (IOException e) {
      throw new ImageException(
          "cannot read manifest.json of " + archive + ": " + e.getMessage(), e);
    }
  }

  private static Path need(Map<String, Path> files, String name, Path archive)
      throws ImageException {
    Path f = files.get(Layers.normalize(name));
    if (f == null) {
      throw new ImageException(archive + ": manifest.json names " + name + ", which is missing");
    }
    return f;
  }

  @Override
  public Manifest root() {
    return root;
  }

  @Override
  public Manifest manifest(String digest) throws ImageException {
    if (digest.equals(root.digest())) {
      return root;
    }
    throw new ImageException(describe() + " has no manifest " + digest);
  }

  @Override
  public Path blob(String digest) throws ImageException {
    Path p = blobs.get(digest);
    if (p == null) {
      throw new ImageException(describe() + " has no blob " + digest);
    }
    return p;
  }

  @Override
  public Optional<ImageReference> registryReference() {
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "docker-archive:" + archive;
  }
}
