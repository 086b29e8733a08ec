package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.testing.TestTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The test release: a tiny Go module with two mains, built with the pinned Go 1.21 (the "original",
 * {@link TestTools#go}) and the machine's Go (the "rebuild", the go on PATH), and a two-platform
 * OCI image of the original.
 */
public final class Fixture {
  /** The machine's go command: the rebuild's Go and the independent reader of build info. */
  static final String NEW_GO = TestTools.machineGoCommand().toString();

  static final List<Platform> PLATFORMS =
      List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));
  static final String HELLO = "example.com/app/cmd/hello";
  static final String WORLD = "example.com/app/cmd/world";
  static final Instant FILE_TIME = Instant.parse("2024-03-01T10:00:00Z");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Fixture built;

  final Path root;
  final Map<String, Path> oldBinaries = new HashMap<>();
  final List<RebuiltBinary> rebuilt = new ArrayList<>();
  final String newGoVersion;

  private Fixture(Path root, String newGoVersion) {
    this.root = root;
    this.newGoVersion = newGoVersion;
  }

  /** Built once per test JVM: Go builds are the slow part. */
  public static synchronized Fixture get() throws IOException {
    if (built == null) {
      String oldGo = TestTools.goCommand(TestTools.GO_1_21).toString();
      Path root = Files.createTempDirectory("image-fixture");
      Path module = Files.createDirectories(root.resolve("module"));
      Files.writeString(module.resolve("go.mod"), "module example.com/app\n\ngo 1.21\n");
      Files.createDirectories(module.resolve("cmd/hello"));
      Files.createDirectories(module.resolve("cmd/world"));
      Files.writeString(
          module.resolve("cmd/hello/main.go"),
          "package main\n\nfunc main() { println(\"hello\") }\n");
      Files.writeString(
          module.resolve("cmd/world/main.go"),
          "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"world\\n\") }\n");
      String version = Cmd.ok(NEW_GO, "env", "GOVERSION").strip();
      Fixture f = new Fixture(root, version);
      for (Platform p : PLATFORMS) {
        Path old = f.build(oldGo, module, p, "old");
        f.oldBinaries.put(p + " hello", old.resolve("hello"));
        f.oldBinaries.put(p + " world", old.resolve("world"));
        Path fresh = f.build(NEW_GO, module, p, "new");
        f.rebuilt.add(new RebuiltBinary(p, HELLO, fresh.resolve("hello")));
        f.rebuilt.add(new RebuiltBinary(p, WORLD, fresh.resolve("world")));
      }
      built = f;
    }
    return built;
  }

  /** The module the binaries are built from: {@code example.com/app}, not a git repository. */
  public Path module() {
    return root.resolve("module");
  }

  static Map<String, String> goEnv(Platform p) {
    Map<String, String> env = new HashMap<>();
    String home = System.getProperty("user.home");
    env.put("HOME", home);
    String path = System.getenv("PATH");
    env.put("PATH", path != null ? path : "/usr/bin:/bin");
    String cache = System.getenv("GOCACHE");
    env.put("GOCACHE", cache != null ? cache : home + "/.cache/go-build");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOPROXY", "off");
    env.put("GOFLAGS", "");
    env.put("CGO_ENABLED", "0");
    if (p != null) {
      env.putAll(p.environment());
    }
    return env;
  }

  private Path build(String go, Path module, Platform p, String kind) throws IOException {
    Path out = Files.createDirectories(root.resolve(kind).resolve(p.os() + "-" + p.arch()));
    Cmd.ok(List.of(go, "build", "-trimpath", "-o", out + "/", "./cmd/..."), module, goEnv(p));
    return out;
  }

  // ---- the original image, as an OCI image layout ----

  public record Layer(byte[] gz, String digest, String diffId) {}

  /** A tar entry for a test layer. */
  public record File(String name, int mode, int uid, byte[] content) {}

  public static Layer layer(List<File> files) throws IOException {
    ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (File f : files) {
        TarArchiveEntry e = new TarArchiveEntry(f.name());
        e.setMode(f.mode());
        e.setIds(f.uid(), f.uid());
        e.setUserName(f.uid() == 0 ? "root" : "app");
        e.setGroupName(f.uid() == 0 ? "root" : "app");
        e.setModTime(FILE_TIME.toEpochMilli());
        e.setSize(f.content().length);
        tar.putArchiveEntry(e);
        tar.write(f.content());
        tar.closeArchiveEntry();
      }
    }
    byte[] tar = tarBytes.toByteArray();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] compressed = gz.toByteArray();
    return new Layer(compressed, Digest.of(compressed).toString(), Digest.of(tar).toString());
  }

  static File text(String name, String content) {
    return new File(name, 0644, 0, content.getBytes(StandardCharsets.UTF_8));
  }

  File binary(String name, Platform p, String which) throws IOException {
    return new File(name, 0755, 1000, Files.readAllBytes(oldBinaries.get(p + " " + which)));
  }

  /** Base files only, for the rebase tests. */
  static Layer baseLayer(String flavour) throws IOException {
    return layer(
        List.of(
            text("etc/os-release", "ID=" + flavour + "\nVERSION_ID=1\n"),
            text("usr/share/doc/base/README", flavour + " base files\n")));
  }

  /**
   * Writes a two-platform image: a base layer, a layer with both Go binaries, and a layer that
   * overwrites hello (so an old Go binary hides in an earlier layer).
   */
  public Path writeOriginal(Path layout, String refName, List<String> withBinaries)
      throws IOException {
    return writeOriginal(layout, refName, withBinaries, 0);
  }

  /** As above; {@code fillerBytes} of incompressible data in the base layer (for benchmarks). */
  Path writeOriginal(Path layout, String refName, List<String> withBinaries, int fillerBytes)
      throws IOException {
    Map<Platform, List<Layer>> images = new java.util.LinkedHashMap<>();
    for (Platform p : PLATFORMS) {
      List<Layer> layers = new ArrayList<>();
      if (fillerBytes > 0) {
        byte[] filler = new byte[fillerBytes];
        new java.util.Random(p.hashCode()).nextBytes(filler);
        layers.add(
            layer(
                List.of(
                    text("etc/os-release", "ID=testos\n"),
                    new File("usr/lib/filler.bin", 0644, 0, filler))));
      } else {
        layers.add(baseLayer("testos"));
      }
      List<File> bins = new ArrayList<>();
      for (String which : withBinaries) {
        bins.add(binary("usr/local/bin/" + which, p, which));
      }
      layers.add(layer(bins));
      if (withBinaries.contains("hello")) {
        layers.add(
            layer(
                List.of(text("etc/motd", "welcome\n"), binary("usr/local/bin/hello", p, "hello"))));
      }
      images.put(p, layers);
    }
    return writeImage(layout, refName, images);
  }

  /**
   * Writes a multi-platform image of {@code layers} per platform (the fixture's config: user 1000,
   * entrypoint {@code /usr/local/bin/hello}) into the OCI layout under {@code refName}.
   */
  public static Path writeImage(Path layout, String refName, Map<Platform, List<Layer>> images)
      throws IOException {
    List<ObjectNode> descriptors = new ArrayList<>();
    for (Map.Entry<Platform, List<Layer>> image : images.entrySet()) {
      Platform p = image.getKey();
      List<Layer> layers = image.getValue();
      ObjectNode config = JSON.createObjectNode();
      config.put("created", "2024-03-01T10:00:00Z");
      config.put("architecture", p.arch());
      config.put("os", p.os());
      ObjectNode c = config.putObject("config");
      c.put("User", "1000:1000");
      c.putArray("Env").add("PATH=/usr/local/bin:/usr/bin:/bin").add("APP_MODE=prod");
      c.putArray("Entrypoint").add("/usr/local/bin/hello");
      c.putArray("Cmd").add("--serve");
      c.put("WorkingDir", "/srv");
      c.putObject("ExposedPorts").putObject("4150/tcp");
      c.putObject("Labels").put("org.example.team", "core");
      ObjectNode rootfs = config.putObject("rootfs");
      rootfs.put("type", "layers");
      ArrayNode diffIds = rootfs.putArray("diff_ids");
      ArrayNode history = config.putArray("history");
      for (Layer l : layers) {
        diffIds.add(l.diffId());
        history.addObject().put("created", "2024-03-01T10:00:00Z").put("created_by", "fixture");
      }
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
      byte[] configBytes = JSON.writeValueAsBytes(config);
      ObjectNode cd = manifest.putObject("config");
      cd.put("mediaType", MediaTypes.OCI_CONFIG);
      cd.put("digest", writeBlob(layout, configBytes));
      cd.put("size", configBytes.length);
      ArrayNode ls = manifest.putArray("layers");
      for (Layer l : layers) {
        writeBlob(layout, l.gz());
        ls.addObject()
            .put("mediaType", MediaTypes.OCI_LAYER_GZIP)
            .put("digest", l.digest())
            .put("size", l.gz().length);
      }
      byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
      ObjectNode d = JSON.createObjectNode();
      d.put("mediaType", MediaTypes.OCI_MANIFEST);
      d.put("digest", writeBlob(layout, manifestBytes));
      d.put("size", manifestBytes.length);
      d.putObject("platform").put("architecture", p.arch()).put("os", p.os());
      descriptors.add(d);
    }
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode ms = index.putArray("manifests");
    descriptors.forEach(ms::add);
    byte[] indexBytes = JSON.writeValueAsBytes(index);
    String indexDigest = writeBlob(layout, indexBytes);
    addRef(layout, refName, MediaTypes.OCI_INDEX, indexDigest, indexBytes.length);
    return layout;
  }

  /** A single-layer image per platform whose layer holds base files only. */
  static void writeBase(Path layout, String refName) throws IOException {
    List<ObjectNode> descriptors = new ArrayList<>();
    for (Platform p : PLATFORMS) {
      Layer l = baseLayer("baseos");
      writeBlob(layout, l.gz());
      ObjectNode config = JSON.createObjectNode();
      config.put("architecture", p.arch());
      config.put("os", p.os());
      config.putObject("config").putArray("Env").add("PATH=/usr/bin:/bin");
      ObjectNode rootfs = config.putObject("rootfs");
      rootfs.put("type", "layers");
      rootfs.putArray("diff_ids").add(l.diffId());
      config.putArray("history").addObject().put("created_by", "base");
      byte[] configBytes = JSON.writeValueAsBytes(config);
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
      manifest
          .putObject("config")
          .put("mediaType", MediaTypes.OCI_CONFIG)
          .put("digest", writeBlob(layout, configBytes))
          .put("size", configBytes.length);
      manifest
          .putArray("layers")
          .addObject()
          .put("mediaType", MediaTypes.OCI_LAYER_GZIP)
          .put("digest", l.digest())
          .put("size", l.gz().length);
      byte[] mb = JSON.writeValueAsBytes(manifest);
      ObjectNode d = JSON.createObjectNode();
      d.put("mediaType", MediaTypes.OCI_MANIFEST);
      d.put("digest", writeBlob(layout, mb));
      d.put("size", mb.length);
      d.putObject("platform").put("architecture", p.arch()).put("os", p.os());
      descriptors.add(d);
    }
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode ms = index.putArray("manifests");
    descriptors.forEach(ms::add);
    byte[] ib = JSON.writeValueAsBytes(index);
    addRef(layout, refName, MediaTypes.OCI_INDEX, writeBlob(layout, ib), ib.length);
  }

  static String writeBlob(Path layout, byte[] bytes) throws IOException {
    Digest d = Digest.of(bytes);
    Path dir = Files.createDirectories(layout.resolve("blobs/sha256"));
    Files.write(dir.resolve(d.hex()), bytes);
    return d.toString();
  }

  private static void addRef(Path layout, String ref, String type, String digest, long size)
      throws IOException {
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Path indexFile = layout.resolve("index.json");
    ObjectNode index;
    if (Files.exists(indexFile)) {
      index = (ObjectNode) JSON.readTree(indexFile.toFile());
    } else {
      index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index.putArray("manifests");
    }
    ObjectNode d = ((ArrayNode) index.get("manifests")).addObject();
    d.put("mediaType", type);
    d.put("digest", digest);
    d.put("size", size);
    d.putObject("annotations").put(OciLayoutSource.REF_NAME, ref);
    Files.write(indexFile, JSON.writeValueAsBytes(index));
  }
}
