package dev.rebuild.core.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.BuildInfoReader;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.buildinfo.ScannedFile;
import dev.rebuild.core.buildinfo.Setting;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.release.ReleaseManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * CycloneDX SBOMs (JSON, spec {@value #SPEC_VERSION}) of a rebuilt archive or image, from the build
 * information of the Go binaries in it. Pure: the same binaries give the same bytes (no timestamp;
 * the serial number is derived from the content, see {@link #serialNumber}).
 *
 * <p>What a document holds: the archive or image as {@code metadata.component}; each Go binary as
 * an {@code application} whose purl is its main module's with the main package as subpath (as
 * {@code cyclonedx-gomod bin} writes it); every module of its build info as a {@code library},
 * after {@code replace} directives (the code that was compiled); the standard library as the
 * library {@code stdlib} at the binary's Go version. Purls carry {@code goos} and {@code goarch}
 * qualifiers from the build info. Every build setting is a property of its binary.
 *
 * <p>A module's {@code go.sum} hash ({@code h1:} + base64) is the SHA-256 of Go's dirhash summary
 * of the module's files. It is given as a CycloneDX {@code SHA-256} hash with the same 32 bytes in
 * hex, as {@code cyclonedx-gomod} does, so that tools comparing the two agree; it is not the hash
 * of the module zip. The {@code go.sum} text itself is the property {@value #GO_SUM}, also for
 * hashes of other kinds, which have no CycloneDX algorithm and get no hash.
 */
public final class SbomWriter {

  /** The media type of the documents, as artifactType of OCI referrers too. */
  public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";

  /** The suffix of an archive's SBOM in {@code dist/}: {@code <archive>.cdx.json}. */
  public static final String SUFFIX = ".cdx.json";

  public static final String SPEC_VERSION = "1.6";

  /** Property of a module: its {@code go.sum} hash as the build info recorded it. */
  public static final String GO_SUM = "rebuild:go:sum";

  /** Property of a module that replaced another: {@code path@version} of the replaced one. */
  public static final String REPLACES = "rebuild:go:replaces";

  /** Prefix of a binary's build settings: {@code rebuild:go:setting:-ldflags} and so on. */
  public static final String SETTING = "rebuild:go:setting:";

  /** Property of a binary: its path in the archive or image. */
  public static final String PATH = "rebuild:path";

  /** Property of a binary: the Go version exactly as its build info says. */
  public static final String GO_VERSION = "rebuild:go:version";

  /** Property of a binary: the main module's version as recorded, when the purl uses another. */
  public static final String RECORDED_VERSION = "rebuild:go:main.version";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One Go binary of the archive or image.
   *
   * @param path its path in the archive ({@code nsq-1.3.0.linux-amd64/bin/nsqd}) or image ({@code
   *     /usr/local/bin/nsqd})
   * @param sha256 the hex SHA-256 of its bytes
   */
  public record Binary(String path, String sha256, BuildInfo info) {
    public Binary {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(info, "info");
    }

    /**
     * Reads a binary's build information and digest.
     *
     * @throws IOException when the file cannot be read or is no Go binary with build information
     */
    public static Binary read(Path file, String path) throws IOException {
      ReadResult r = BuildInfoReader.read(file);
      if (!(r instanceof ReadResult.GoBinary go)) {
        throw new IOException(file + " is no Go binary with build information: " + r);
      }
      return new Binary(path, Digest.of(file).hex(), go.info());
    }
  }

  /**
   * What the document describes.
   *
   * @param name the archive's file name, or the image's {@code registry/repo:tag}
   * @param version the release's version label, e.g. {@code v1.3.0}; also the main modules' version
   *     where their build info has none ({@code (devel)})
   * @param digest {@code sha256:<hex>} of the archive, or of the image's top manifest or index
   * @param tool this program's version for {@code metadata.tools}, or null
   */
  public record Subject(Kind kind, String name, String version, String digest, String tool) {
    public Subject {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(version, "version");
      Digest.parse(digest);
    }
  }

  /** An archive in {@code dist/}, or a container image. */
  public enum Kind {
    ARCHIVE,
    IMAGE
  }

  private SbomWriter() {}

  /** The SBOM of an archive. */
  public static byte[] archive(
      String name, String sha256Hex, String version, String tool, List<Binary> binaries) {
    return write(new Subject(Kind.ARCHIVE, name, version, "sha256:" + sha256Hex, tool), binaries);
  }

  /**
   * The SBOM of a {@code dist/} artifact as the manifest records it: an archive, whose Go binaries
   * are read from {@code file} (the archive itself, nothing unpacked), or a bare binary. Each
   * binary's sha256 is the manifest's, so the SBOM names what {@code SHA256SUMS} covers.
   *
   * @param version the release's tag
   * @param work where the scanner may spill a Go 1.13-1.17 member
   * @throws IOException when the file cannot be read, or its Go binaries are not the recorded ones
   */
  public static byte[] artifact(
      ReleaseManifest.Artifact artifact, Path file, String version, String tool, Path work)
      throws IOException {
    Map<String, String> recorded = new TreeMap<>();
    if (artifact.binaries() != null) {
      artifact.binaries().forEach(b -> recorded.put(b.path(), b.sha256()));
    }
    List<Binary> binaries = new ArrayList<>();
    for (ScannedFile f : new ArtifactScanner(work).scan(file)) {
      int bang = f.path().indexOf('!');
      String path = bang < 0 ? artifact.name() : f.path().substring(bang + 1);
      if (f.result() instanceof ReadResult.Corrupt c) {
        throw new IOException(artifact.name() + ": " + path + " is damaged: " + c.reason());
      }
      if (f.result() instanceof ReadResult.GoBinary go) {
        String sha = recorded.get(path);
        if (sha == null) {
          throw new IOException(
              artifact.name()
                  + " holds the Go binary "
                  + path
                  + ", which the manifest does not list");
        }
        binaries.add(new Binary(path, sha, go.info()));
      }
    }
    if (binaries.size() != recorded.size()) {
      throw new IOException(
          artifact.name()
              + " holds "
              + binaries.size()
              + " Go binaries, the manifest lists "
              + recorded.size());
    }
    return archive(artifact.name(), artifact.sha256(), version, tool, binaries);
  }

  /** The SBOM of an image ({@code reference} with its main tag; {@code digest} of its top). */
  public static byte[] image(
      String reference, String digest, String version, String tool, List<Binary> binaries) {
    return write(new Subject(Kind.IMAGE, reference, version, digest, tool), binaries);
  }

  /**
   * The SBOM of {@code subject}, which holds {@code binaries} (in any order: the document is
   * sorted).
   */
  public static byte[] write(Subject subject, List<Binary> binaries) {
    Bom bom = new Bom();
    bom.setVersion(1);
    Metadata metadata = new Metadata();
    // The model stamps the clock in; the same rebuild must give the same bytes.
    metadata.setTimestamp(null);
    metadata.setComponent(subjectComponent(subject));
    if (subject.tool() != null) {
      Component tool = new Component();
      tool.setType(Component.Type.APPLICATION);
      tool.setGroup("dev.rebuild");
      tool.setName("rebuild");
      tool.setVersion(subject.tool());
      ToolInformation tools = new ToolInformation();
      tools.setComponents(List.of(tool));
      metadata.setToolChoice(tools);
    }
    bom.setMetadata(metadata);

    Map<String, Component> applications = new TreeMap<>();
    Map<String, Component> libraries = new TreeMap<>();
    Map<String, List<String>> dependsOn = new TreeMap<>();
    for (Binary b : binaries) {
      Component app = application(b, subject.version());
      if (applications.putIfAbsent(app.getBomRef(), app) != null) {
        throw new IllegalArgumentException(
            "two binaries at " + b.path() + " for " + platformOf(b.info()));
      }
      List<String> uses = new ArrayList<>();
      for (Module m : b.info().deps()) {
        Component lib = library(m, b.info());
        libraries.putIfAbsent(lib.getBomRef(), lib);
        uses.add(lib.getBomRef());
      }
      Component std = stdlib(b.info());
      libraries.putIfAbsent(std.getBomRef(), std);
      uses.add(std.getBomRef());
      dependsOn.put(app.getBomRef(), uses.stream().sorted().distinct().toList());
    }
    List<Component> components = new ArrayList<>(applications.values());
    components.addAll(libraries.values());
    bom.setComponents(components);
    List<Dependency> dependencies = new ArrayList<>();
    Dependency top = new Dependency(metadata.getComponent().getBomRef());
    applications.keySet().forEach(ref -> top.addDependency(new Dependency(ref)));
    dependencies.add(top);
    for (Map.Entry<String, List<String>> e : dependsOn.entrySet()) {
      Dependency d = new Dependency(e.getKey());
      e.getValue().forEach(ref -> d.addDependency(new Dependency(ref)));
      dependencies.add(d);
    }
    bom.setDependencies(dependencies);

    ObjectNode json =
        BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonNode().deepCopy();
    json.remove("serialNumber");
    byte[] unnumbered = bytes(json);
    ObjectNode numbered = JSON.createObjectNode();
    json.fields()
        .forEachRemaining(
            e -> {
              numbered.set(e.getKey(), e.getValue());
              if (e.getKey().equals("specVersion")) {
                numbered.put("serialNumber", serialNumber(unnumbered));
              }
            });
    return bytes(numbered);
  }

  /**
   * The serial number: a version 8 UUID (RFC 9562, name-based with SHA-256) of the document without
   * it. The CycloneDX spec asks for a new serial per generated BOM; here the same rebuild must give
   * the same bytes, so the serial names the content: equal documents share it, any change gives
   * another.
   */
  static String serialNumber(byte[] content) {
    byte[] h = Digest.sha256().digest(content);
    h[6] = (byte) ((h[6] & 0x0f) | 0x80);
    h[8] = (byte) ((h[8] & 0x3f) | 0x80);
    ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
    return "urn:uuid:" + new UUID(b.getLong(), b.getLong());
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return (JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static Component subjectComponent(Subject s) {
    Component c = new Component();
    c.setName(s.name());
    c.setVersion(s.version());
    c.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, Digest.parse(s.digest()).hex())));
    if (s.kind() == Kind.ARCHIVE) {
      c.setType(Component.Type.FILE);
      c.setBomRef("archive:" + s.name());
    } else {
      c.setType(Component.Type.CONTAINER);
      c.setBomRef("image:" + s.name() + "@" + s.digest());
      c.setPurl(imagePurl(s.name(), s.digest()));
    }
    return c;
  }

  /**
   * {@code registry/ns/repo:tag} -> {@code
   * pkg:oci/repo@sha256:..?repository_url=registry/ns/repo&tag=tag}.
   */
  static String imagePurl(String reference, String digest) {
    String repo = reference;
    String tag = null;
    int colon = reference.lastIndexOf(':');
    if (colon > reference.lastIndexOf('/')) {
      repo = reference.substring(0, colon);
      tag = reference.substring(colon + 1);
    }
    TreeMap<String, String> q = new TreeMap<>();
    q.put("repository_url", repo);
    if (tag != null) {
      q.put("tag", tag);
    }
    String name = repo.substring(repo.lastIndexOf('/') + 1);
    return purl("oci", null, name, digest, q, null);
  }

  private static Component application(Binary b, String releaseVersion) {
    BuildInfo info = b.info();
    Module main = info.main();
    Component c = new Component();
    c.setType(Component.Type.APPLICATION);
    c.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, b.sha256())));
    List<Property> props = new ArrayList<>();
    props.add(new Property(PATH, b.path()));
    props.add(new Property(GO_VERSION, info.goVersion()));
    if (main != null) {
      String recorded = main.version();
      String version = hasVersion(recorded) ? recorded : releaseVersion;
      if (!version.equals(recorded)) {
        props.add(new Property(RECORDED_VERSION, recorded));
      }
      String sub =
          info.path().startsWith(main.path() + "/")
              ? info.path().substring(main.path().length() + 1)
              : null;
      c.setName(info.path());
      c.setVersion(version);
      c.setPurl(modulePurl(main.path(), version, info, sub));
    } else {
      c.setName(info.path().isEmpty() ? b.path() : info.path());
    }
    c.setBomRef("binary:" + platformOf(info) + ":" + b.path());
    for (Setting s : info.settings()) {
      props.add(new Property(SETTING + s.key(), s.value()));
    }
    c.setProperties(props);
    return c;
  }

  private static boolean hasVersion(String v) {
    return !v.isEmpty() && !v.equals("(devel)");
  }

  private static Component library(Module m, BuildInfo info) {
    Module e = m.effective();
    Component c = new Component();
    c.setType(Component.Type.LIBRARY);
    c.setName(e.path());
    c.setVersion(e.version());
    String purl = modulePurl(e.path(), e.version(), info, null);
    c.setPurl(purl);
    c.setBomRef(purl);
    List<Property> props = new ArrayList<>();
    if (!e.sum().isEmpty()) {
      props.add(new Property(GO_SUM, e.sum()));
      h1Hex(e.sum()).ifPresent(hex -> c.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, hex))));
    }
    if (m.replacement() != null) {
      props.add(new Property(REPLACES, m.path() + "@" + m.version()));
    }
    if (!props.isEmpty()) {
      c.setProperties(props);
    }
    return c;
  }

  /** The standard library at the binary's Go version: {@code stdlib} {@code v1.22.12}. */
  private static Component stdlib(BuildInfo info) {
    GoVersion go = info.parsedGoVersion();
    String version = go == null ? info.goVersion() : "v" + go.number();
    Component c = new Component();
    c.setType(Component.Type.LIBRARY);
    c.setName("stdlib");
    c.setVersion(version);
    String purl = purl("golang", null, "stdlib", version, qualifiers(info), null);
    c.setPurl(purl);
    c.setBomRef(purl);
    c.setProperties(List.of(new Property(GO_VERSION, info.goVersion())));
    return c;
  }

  /**
   * The SHA-256 inside an {@code h1:} hash, in hex; empty for another kind of hash or a malformed
   * one.
   */
  public static java.util.Optional<String> h1Hex(String sum) {
    if (!sum.startsWith("h1:")) {
      return java.util.Optional.empty();
    }
    try {
      byte[] raw = Base64.getDecoder().decode(sum.substring(3));
      return raw.length == 32
          ? java.util.Optional.of(HexFormat.of().formatHex(raw))
          : java.util.Optional.empty();
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  private static TreeMap<String, String> qualifiers(BuildInfo info) {
    TreeMap<String, String> q = new TreeMap<>();
    if (info.goos() != null) {
      q.put("goos", info.goos());
    }
    if (info.goarch() != null) {
      q.put("goarch", info.goarch());
    }
    return q;
  }

  private static String platformOf(BuildInfo info) {
    Map<String, String> p = new LinkedHashMap<>(qualifiers(info));
    return p.getOrDefault("goos", "?") + "/" + p.getOrDefault("goarch", "?");
  }

  /** {@code pkg:golang/github.com/nsqio/nsq@v1.3.0?goarch=amd64&goos=linux#apps/nsqd}. */
  static String modulePurl(String path, String version, BuildInfo info, String subpath) {
    int slash = path.lastIndexOf('/');
    String namespace = slash < 0 ? null : path.substring(0, slash);
    String name = path.substring(slash + 1);
    return purl("golang", namespace, name, version, qualifiers(info), subpath);
  }

  private static String purl(
      String type,
      String namespace,
      String name,
      String version,
      TreeMap<String, String> qualifiers,
      String subpath) {
    try {
      return new PackageURL(type, namespace, name, version, qualifiers, subpath).canonicalize();
    } catch (MalformedPackageURLException e) {
      throw new IllegalArgumentException(
          "no package URL for " + namespace + "/" + name + "@" + version + ": " + e.getMessage(),
          e);
    }
  }
}
