package dev.rebuild.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.image.Layers.GoFile;
import dev.rebuild.core.image.Layers.NewEntry;
import dev.rebuild.core.image.Layers.WrittenLayer;
import dev.rebuild.core.image.LayoutPusher.PushResult;
import dev.rebuild.core.image.LayoutPusher.PushSettings;
import dev.rebuild.core.image.RegistryClient.Manifest;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Rebuilds a release's container image so that every Go binary in it is the rebuilt one.
 *
 * <p>{@link #build} writes the image as an OCI image layout; {@link LayoutPusher} pushes such a
 * layout, possibly later and in another process. {@link #rebuild} does both, or only the first with
 * skipPublish.
 */
public final class ImageRebuilder {

  static final String ANNOTATION_ORIGINAL = "dev.rebuild.original.digest";
  static final String ANNOTATION_GO = "dev.rebuild.go.version";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryClientFactory registries;
  private final BinaryIdentifier identifier;
  private final ImageListener listener;

  public ImageRebuilder(
      RegistryClientFactory registries, BinaryIdentifier identifier, ImageListener listener) {
    this.registries = registries;
    this.identifier = identifier;
    this.listener = listener == null ? ImageListener.NONE : listener;
  }

  public ImageRebuilder(BinaryIdentifier identifier, ImageListener listener) {
    this(RegistryClientFactory.DEFAULT, identifier, listener);
  }

  /** A blob of the new image and the file holding it. */
  private record Blob(String digest, long size, Path file) {}

  /** One rebuilt platform image. */
  private record Built(
      Platform platform,
      JsonNode platformNode,
      String originalDigest,
      byte[] manifest,
      String digest,
      List<Blob> blobs,
      SortedMap<String, Path> replaced,
      List<String> newLayers) {}

  /** One platform of the original. */
  private record Original(Platform platform, JsonNode platformNode, Manifest manifest) {}

  /**
   * Rebuilds {@code spec} with {@code binaries} and publishes it as {@code ctx} says: with
   * skipPublish as {@link #build} does, else through a temporary OCI layout that {@link
   * LayoutPusher} pushes to {@code spec.name()} under {@code spec.tags()}.
   *
   * @throws ImageException naming the cause and, after a failed push, what was pushed
   */
  public ImageResult rebuild(ImageSpec spec, List<RebuiltBinary> binaries, ImageContext ctx)
      throws ImageException {
    if (ctx.skipPublish()) {
      return build(spec, binaries, ctx);
    }
    ImageReference target = target(spec);
    Path layout = createTempDirectory("rebuild-layout-");
    try {
      ImageResult built = write(spec, binaries, ctx, layout);
      PushResult pushed =
          new LayoutPusher(registries, listener)
              .push(
                  layout,
                  spec.tags().get(0),
                  target,
                  spec.tags(),
                  new PushSettings(
                      ctx.credentials(),
                      ctx.insecureRegistries(),
                      ctx.moveTags(),
                      mountSources(spec)));
      return new ImageResult(
          built.originalDigest(),
          pushed.reference(),
          pushed.digest(),
          built.platforms(),
          pushed.uploadedAnything(),
          pushed.pushedTags());
    } finally {
      deleteTree(layout);
    }
  }

  /**
   * Rebuilds {@code spec} with {@code binaries} and writes it to the OCI image layout {@code
   * ctx.outputDir()}, under one {@code org.opencontainers.image.ref.name} per tag of the spec;
   * other images already in that layout stay. Pushes nothing, whatever {@code ctx.skipPublish()}
   * says: {@link LayoutPusher} does that. Same inputs give the same bytes.
   *
   * @return the result; its reference is {@code oci-layout:DIR:MAINTAG}, it pushed nothing
   * @throws ImageException naming the cause
   */
  public ImageResult build(ImageSpec spec, List<RebuiltBinary> binaries, ImageContext ctx)
      throws ImageException {
    ImageResult r = write(spec, binaries, ctx, ctx.outputDir());
    listener.progress("wrote " + r.digest() + " to the OCI layout " + ctx.outputDir());
    return r;
  }

  /**
   * The registry repositories of the spec's original and, when rebasing, its base, first the base:
   * a push may mount blobs from them. Images read from an OCI layout or a docker archive have none.
   *
   * @throws ImageException when one of them is a malformed reference
   */
  public static List<ImageReference> mountSources(ImageSpec spec) throws ImageException {
    List<ImageReference> out = new ArrayList<>();
    if (spec.strategy() == ImageSpec.Strategy.REBASE
        && spec.base() != null
        && !spec.base().isBlank()) {
      registryReference(spec.base()).ifPresent(out::add);
    }
    registryReference(spec.original()).ifPresent(out::add);
    return out;
  }

  private static Optional<ImageReference> registryReference(String image) throws ImageException {
    if (image.startsWith("oci-layout:") || image.startsWith("docker-archive:")) {
      return Optional.empty();
    }
    return Optional.of(ImageReference.parse(image));
  }

  private static ImageReference target(ImageSpec spec) throws ImageException {
    if (spec.tags().isEmpty()) {
      throw ImageException.badInput("image " + spec.name() + " has no tags: give at least one");
    }
    ImageReference target = ImageReference.parse(spec.name());
    if (target.tag() != null || target.digest() != null) {
      throw ImageException.badInput(
          "the image name '"
              + spec.name()
              + "' must be a repository without tag or digest; give the tags separately");
    }
    for (String tag : spec.tags()) {
      ImageReference.parse(target.repositoryName() + ":" + tag);
    }
    if (spec.strategy() == ImageSpec.Strategy.REBASE
        && (spec.base() == null || spec.base().isBlank())) {
      throw ImageException.badInput("the rebase strategy needs a base image: set the image's base");
    }
    return target;
  }

  private static Path createTempDirectory(String prefix) throws ImageException {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new ImageException("cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  /** Rebuilds the image and writes it to the OCI layout {@code dir}. */
  private ImageResult write(
      ImageSpec spec, List<RebuiltBinary> binaries, ImageContext ctx, Path dir)
      throws ImageException {
    ImageReference target = target(spec);
    RegistryClient client =
        registries.open(ctx.credentials(), ctx.insecureRegistries(), listener::progress);
    Path work = createTempDirectory("rebuild-image-");
    try (ImageSource original = open(spec.original(), client, work, "original");
        ImageSource base =
            spec.strategy() == ImageSpec.Strategy.REBASE
                ? open(spec.base(), client, work, "base")
                : null) {
      Optional<ImageReference> originalRef = original.registryReference();
      if (originalRef.isPresent()) {
        refuseMovingOriginal(originalRef.get(), target, spec.tags(), ctx);
      }
      listener.progress("reading " + original.describe());
      Manifest root = original.root();
      List<Original> platforms = platforms(original, root, spec.platforms());
      List<Built> built = new ArrayList<>();
      for (Original o : platforms) {
        built.add(
            spec.strategy() == ImageSpec.Strategy.REBASE
                ? rebase(o, original, base, binaries, ctx, work)
                : replace(o, original, binaries, ctx, work));
      }
      boolean asIndex = MediaTypes.isIndex(root.mediaType()) || built.size() > 1;
      byte[] top;
      String topType;
      if (asIndex) {
        top = index(built, root.digest(), ctx);
        topType = MediaTypes.OCI_INDEX;
      } else {
        top = built.get(0).manifest();
        topType = MediaTypes.OCI_MANIFEST;
      }
      String topDigest = Digest.of(top).toString();
      List<PlatformImage> images =
          built.stream()
              .map(
                  b ->
                      new PlatformImage(
                          b.platform(),
                          b.originalDigest(),
                          b.digest(),
                          List.copyOf(b.replaced().keySet()),
                          b.newLayers(),
                          b.replaced()))
              .toList();
      writeLayout(dir, built, top, topDigest, topType, spec.tags(), work);
      return new ImageResult(
          root.digest(),
          "oci-layout:" + dir + ":" + spec.tags().get(0),
          topDigest,
          images,
          false,
          List.of());
    } finally {
      deleteTree(work);
    }
  }

  private static void refuseMovingOriginal(
      ImageReference original, ImageReference target, List<String> tags, ImageContext ctx)
      throws ImageException {
    if (!original.registry().equals(target.registry())
        || !original.repository().equals(target.repository())
        || original.tag() == null) {
      return;
    }
    if (tags.contains(original.tag()) && !ctx.moveTags().contains(original.tag())) {
      throw ImageException.badInput(
          "refusing to move the original tag "
              + original
              + ": a security rebuild does not replace the original image; choose another tag"
              + " (e.g. "
              + original.tag()
              + "-"
              + goLabel(ctx)
              + ") or list "
              + original.tag()
              + " in moveTags to move it on purpose");
    }
  }

  private ImageSource open(String text, RegistryClient client, Path work, String what)
      throws ImageException {
    try {
      Path cache = Files.createDirectories(work.resolve(what));
      if (text.startsWith("oci-layout:")) {
        String rest = text.substring("oci-layout:".length());
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
          throw ImageException.badInput(
              "malformed image '" + text + "': use oci-layout:DIR:REF, REF being the ref.name");
        }
        return new OciLayoutSource(Path.of(rest.substring(0, colon)), rest.substring(colon + 1));
      }
      if (text.startsWith("docker-archive:")) {
        return DockerArchiveSource.open(Path.of(text.substring("docker-archive:".length())), cache);
      }
      return new RegistrySource(client, ImageReference.parse(text), cache);
    } catch (IOException e) {
      throw new ImageException("cannot create a work directory under " + work, e);
    }
  }

  private List<Original> platforms(ImageSource src, Manifest root, List<Platform> wanted)
      throws ImageException {
    List<Original> all = new ArrayList<>();
    if (MediaTypes.isIndex(root.mediaType())) {
      for (JsonNode d : parse(root.bytes(), "index " + root.digest()).path("manifests")) {
        JsonNode p = d.path("platform");
        String os = p.path("os").asText("");
        String attestation = d.path("annotations").path("vnd.docker.reference.type").asText("");
        if (os.equals("unknown") || attestation.equals("attestation-manifest")) {
          continue;
        }
        Platform platform = platformOf(p, src);
        all.add(new Original(platform, p, src.manifest(d.path("digest").asText())));
      }
    } else if (MediaTypes.isManifest(root.mediaType())) {
      JsonNode m = parse(root.bytes(), "manifest " + root.digest());
      JsonNode config = readBlobJson(src, m.path("config").path("digest").asText());
      ObjectNode p = JSON.createObjectNode();
      p.put("architecture", config.path("architecture").asText(""));
      p.put("os", config.path("os").asText(""));
      if (!config.path("variant").asText("").isEmpty()) {
        p.put("variant", config.path("variant").asText());
      }
      all.add(new Original(platformOf(p, src), p, root));
    } else {
      throw ImageException.badInput(
          src.describe()
              + " has media type '"
              + root.mediaType()
              + "', which is no OCI or Docker v2 image; re-push it with a current client");
    }
    if (wanted.isEmpty()) {
      return all;
    }
    List<Original> chosen = new ArrayList<>();
    for (Platform w : wanted) {
      Optional<Original> match =
          all.stream().filter(o -> samePlatform(o.platform(), w)).findFirst();
      if (match.isEmpty()) {
        // A base image may have only the generic image for a variant of the original.
        List<Original> near = all.stream().filter(o -> compatible(o.platform(), w)).toList();
        if (near.size() > 1) {
          throw ImageException.badInput(
              src.describe()
                  + " has no "
                  + w
                  + " image but several that might do: "
                  + String.join(", ", near.stream().map(o -> o.platform().toString()).toList())
                  + "; name the platform exactly");
        }
        match = near.stream().findFirst();
      }
      if (match.isEmpty()) {
        throw ImageException.badInput(
            src.describe()
                + " has no "
                + w
                + " image; it has "
                + String.join(", ", all.stream().map(o -> o.platform().toString()).toList()));
      }
      chosen.add(match.get());
    }
    return chosen;
  }

  private static Platform platformOf(JsonNode p, ImageSource src) throws ImageException {
    String os = p.path("os").asText("");
    String arch = p.path("architecture").asText("");
    String variant = p.path("variant").asText("");
    if (arch.equals("arm") && variant.startsWith("v")) {
      variant = variant.substring(1);
    } else if (!arch.equals("amd64") && !arch.equals("arm")) {
      // arm64 "v8" and the like have no Go counterpart (GOARM64 is not part of the platform).
      variant = "";
    }
    try {
      return new Platform(os, arch, variant);
    } catch (IllegalArgumentException e) {
      throw ImageException.badInput(
          src.describe() + " has an image for a platform Go does not build: " + e.getMessage());
    }
  }

  /**
   * Whether a binary built for {@code binary} belongs into the image of {@code image}: the same OS,
   * architecture and variant. A variant is a promise about the CPU, so a GOAMD64=v3 binary in the
   * generic amd64 image would die with SIGILL on older CPUs.
   */
  private static boolean samePlatform(Platform image, Platform binary) {
    return image.os().equals(binary.os())
        && image.arch().equals(binary.arch())
        && goVariant(image).equals(goVariant(binary));
  }

  /** Same OS and architecture, and one of the two leaves the variant open. */
  private static boolean compatible(Platform image, Platform wanted) {
    return image.os().equals(wanted.os())
        && image.arch().equals(wanted.arch())
        && (image.variant().isEmpty() || wanted.variant().isEmpty());
  }

  /**
   * The variant as Go builds it: amd64 without one is GOAMD64=v1 (the image spec calls the generic
   * amd64 image v1 too). arm without one is left open: GOARM's default depends on the toolchain.
   */
  private static String goVariant(Platform p) {
    return p.arch().equals("amd64") && p.variant().isEmpty() ? "v1" : p.variant();
  }

  /** Scans every layer of a platform image and pairs each Go binary with its rebuilt one. */
  private Map<GoFile, RebuiltBinary> goBinaries(
      Original o, ImageSource src, JsonNode manifest, List<RebuiltBinary> binaries, Path work)
      throws ImageException {
    Map<GoFile, RebuiltBinary> pairs = new LinkedHashMap<>();
    List<String> unmatched = new ArrayList<>();
    int i = 0;
    for (JsonNode layer : manifest.path("layers")) {
      Path file = src.blob(layer.path("digest").asText());
      List<GoFile> found;
      try {
        found = Layers.scan(file, i, identifier, work);
      } catch (IOException e) {
        throw new ImageException(
            "cannot read layer "
                + layer.path("digest").asText()
                + " of "
                + src.describe()
                + " ("
                + o.platform()
                + "): "
                + e.getMessage(),
            e);
      }
      for (GoFile g : found) {
        List<RebuiltBinary> matches =
            binaries.stream()
                .filter(b -> b.mainPath().equals(g.mainPath()))
                .filter(b -> samePlatform(o.platform(), b.platform()))
                .toList();
        if (matches.isEmpty()) {
          unmatched.add(
              "/" + g.path() + " (main package " + g.mainPath() + ", " + o.platform() + ")");
        } else if (matches.size() > 1) {
          throw ImageException.badInput(
              "/"
                  + g.path()
                  + " (main package "
                  + g.mainPath()
                  + ") of "
                  + src.describe()
                  + " ("
                  + o.platform()
                  + ") could be any of the rebuilt binaries "
                  + String.join(
                      ", ",
                      matches.stream().map(b -> b.file() + " (" + b.platform() + ")").toList())
                  + "; build each main package once per platform (linux/amd64 and"
                  + " linux/amd64/v1 are the same)");
        } else {
          pairs.put(g, matches.get(0));
        }
      }
      i++;
    }
    if (!unmatched.isEmpty()) {
      throw ImageException.badInput(
          src.describe()
              + " holds Go binaries that were not rebuilt: "
              + String.join("; ", unmatched)
              + ". Add their main packages and platform to the release's build targets, or the"
              + " image would keep the old Go");
    }
    listener.progress(
        o.platform()
            + ": "
            + pairs.size()
            + " Go binaries: "
            + String.join(
                ", ", new TreeSet<>(pairs.keySet().stream().map(g -> "/" + g.path()).toList())));
    return pairs;
  }

  private Built replace(
      Original o, ImageSource src, List<RebuiltBinary> binaries, ImageContext ctx, Path work)
      throws ImageException {
    JsonNode manifest = parse(o.manifest().bytes(), "manifest " + o.manifest().digest());
    String configDigest = manifest.path("config").path("digest").asText();
    ObjectNode config = (ObjectNode) readBlobJson(src, configDigest).deepCopy();
    Map<GoFile, RebuiltBinary> pairs = goBinaries(o, src, manifest, binaries, work);
    JsonNode layers = manifest.path("layers");
    ArrayNode diffIds = (ArrayNode) config.path("rootfs").path("diff_ids");
    if (!config.path("rootfs").path("diff_ids").isArray() || diffIds.size() != layers.size()) {
      throw new ImageException(
          "the config of "
              + src.describe()
              + " ("
              + o.platform()
              + ") lists "
              + diffIds.size()
              + " diff_ids for "
              + layers.size()
              + " layers: the image is broken");
    }
    ArrayNode newLayers = JSON.createArrayNode();
    List<Blob> blobs = new ArrayList<>();
    List<String> written = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      JsonNode layer = layers.get(i);
      String digest = layer.path("digest").asText();
      Path file = src.blob(digest);
      Map<String, Path> replacements = new TreeMap<>();
      for (Map.Entry<GoFile, RebuiltBinary> e : pairs.entrySet()) {
        if (e.getKey().layer() == i) {
          replacements.put(e.getKey().path(), e.getValue().file());
        }
      }
      ObjectNode d = ((ObjectNode) layer).deepCopy();
      if (replacements.isEmpty()) {
        d.put("mediaType", MediaTypes.ociLayer(layer.path("mediaType").asText()));
        blobs.add(new Blob(digest, layer.path("size").asLong(), file));
      } else {
        WrittenLayer w;
        try {
          w = Layers.rewrite(file, replacements, Files.createTempFile(work, "layer", ".tar.gz"));
        } catch (IOException e) {
          throw new ImageException("cannot rewrite layer " + digest + ": " + e.getMessage(), e);
        }
        d.put("mediaType", MediaTypes.OCI_LAYER_GZIP);
        d.put("digest", w.digest());
        d.put("size", w.size());
        diffIds.set(i, w.diffId());
        blobs.add(new Blob(w.digest(), w.size(), w.file()));
        written.add(w.digest());
        listener.progress(o.platform() + ": layer " + digest + " rewritten as " + w.digest());
      }
      newLayers.add(d);
    }
    config.put("created", created(ctx));
    history(config).add(historyEntry(ctx, "security rebuild with " + goLabel(ctx), true));
    // A path in two layers: the later layer's file is the one the image shows.
    SortedMap<String, Path> placed = new TreeMap<>();
    pairs.forEach((g, b) -> placed.put("/" + g.path(), b.file()));
    return finish(o, config, newLayers, blobs, ctx, placed, written, work);
  }

  private Built rebase(
      Original o,
      ImageSource src,
      ImageSource baseSrc,
      List<RebuiltBinary> binaries,
      ImageContext ctx,
      Path work)
      throws ImageException {
    JsonNode manifest = parse(o.manifest().bytes(), "manifest " + o.manifest().digest());
    ObjectNode config =
        (ObjectNode) readBlobJson(src, manifest.path("config").path("digest").asText()).deepCopy();
    Map<GoFile, RebuiltBinary> pairs = goBinaries(o, src, manifest, binaries, work);
    // A later layer's file hides an earlier one at the same path: keep the last.
    Map<String, NewEntry> entries = new TreeMap<>();
    for (Map.Entry<GoFile, RebuiltBinary> e : pairs.entrySet()) {
      entries.put(e.getKey().path(), new NewEntry(e.getKey().header(), e.getValue().file()));
    }
    Manifest baseRoot = baseSrc.root();
    Original base = platforms(baseSrc, baseRoot, List.of(o.platform())).get(0);
    JsonNode baseManifest = parse(base.manifest().bytes(), "manifest " + base.manifest().digest());
    JsonNode baseConfig =
        readBlobJson(baseSrc, baseManifest.path("config").path("digest").asText());
    WrittenLayer w;
    try {
      w =
          Layers.create(
              List.copyOf(entries.values()), Files.createTempFile(work, "layer", ".tar.gz"));
    } catch (IOException e) {
      throw new ImageException("cannot write the layer of rebuilt binaries: " + e.getMessage(), e);
    }
    ArrayNode layers = JSON.createArrayNode();
    List<Blob> blobs = new ArrayList<>();
    ArrayNode diffIds = JSON.createArrayNode();
    baseConfig.path("rootfs").path("diff_ids").forEach(diffIds::add);
    for (JsonNode layer : baseManifest.path("layers")) {
      ObjectNode d = ((ObjectNode) layer).deepCopy();
      d.put("mediaType", MediaTypes.ociLayer(layer.path("mediaType").asText()));
      layers.add(d);
      String digest = layer.path("digest").asText();
      blobs.add(new Blob(digest, layer.path("size").asLong(), baseSrc.blob(digest)));
    }
    ObjectNode nd = JSON.createObjectNode();
    nd.put("mediaType", MediaTypes.OCI_LAYER_GZIP);
    nd.put("digest", w.digest());
    nd.put("size", w.size());
    layers.add(nd);
    diffIds.add(w.diffId());
    blobs.add(new Blob(w.digest(), w.size(), w.file()));
    ObjectNode rootfs = JSON.createObjectNode();
    rootfs.put("type", "layers");
    rootfs.set("diff_ids", diffIds);
    config.set("rootfs", rootfs);
    ArrayNode history = JSON.createArrayNode();
    baseConfig.path("history").forEach(history::add);
    config.set("history", history);
    history.add(
        historyEntry(
            ctx,
            "security rebuild with " + goLabel(ctx) + ": rebuilt binaries on " + baseSrc.describe(),
            false));
    config.put("created", created(ctx));
    return finish(o, config, layers, blobs, ctx, placed(entries), List.of(w.digest()), work);
  }

  private Built finish(
      Original o,
      ObjectNode config,
      ArrayNode layers,
      List<Blob> blobs,
      ImageContext ctx,
      SortedMap<String, Path> replaced,
      List<String> written,
      Path work)
      throws ImageException {
    byte[] configBytes = write(config);
    String configDigest = Digest.of(configBytes).toString();
    Path configFile = work.resolve("config-" + configDigest.substring(7));
    try {
      Files.write(configFile, configBytes);
    } catch (IOException e) {
      throw new ImageException("cannot write to " + work + ": " + e.getMessage(), e);
    }
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    ObjectNode cd = m.putObject("config");
    cd.put("mediaType", MediaTypes.OCI_CONFIG);
    cd.put("digest", configDigest);
    cd.put("size", configBytes.length);
    m.set("layers", layers);
    m.set("annotations", annotations(ctx, o.manifest().digest()));
    byte[] manifest = write(m);
    List<Blob> all = new ArrayList<>();
    all.add(new Blob(configDigest, configBytes.length, configFile));
    all.addAll(blobs);
    return new Built(
        o.platform(),
        o.platformNode(),
        o.manifest().digest(),
        manifest,
        Digest.of(manifest).toString(),
        all,
        replaced,
        written);
  }

  /** The rebase layer's entries as image paths to the rebuilt files. */
  private static SortedMap<String, Path> placed(Map<String, NewEntry> entries) {
    SortedMap<String, Path> out = new TreeMap<>();
    entries.forEach((path, e) -> out.put("/" + path, e.content()));
    return out;
  }

  private byte[] index(List<Built> built, String originalDigest, ImageContext ctx)
      throws ImageException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (Built b : built) {
      ObjectNode d = manifests.addObject();
      d.put("mediaType", MediaTypes.OCI_MANIFEST);
      d.put("digest", b.digest());
      d.put("size", b.manifest().length);
      d.set("platform", b.platformNode().deepCopy());
    }
    index.set("annotations", annotations(ctx, originalDigest));
    return write(index);
  }

  private static ObjectNode annotations(ImageContext ctx, String originalDigest) {
    Map<String, String> a = new TreeMap<>();
    a.put("org.opencontainers.image.version", ctx.version());
    a.put("org.opencontainers.image.revision", ctx.revision());
    a.put("org.opencontainers.image.created", created(ctx));
    a.put(ANNOTATION_ORIGINAL, originalDigest);
    a.put(ANNOTATION_GO, goLabel(ctx));
    ObjectNode n = JSON.createObjectNode();
    a.forEach(n::put);
    return n;
  }

  private static ObjectNode historyEntry(ImageContext ctx, String createdBy, boolean empty) {
    ObjectNode h = JSON.createObjectNode();
    h.put("created", created(ctx));
    h.put("created_by", createdBy);
    h.put("comment", "dev.rebuild");
    if (empty) {
      h.put("empty_layer", true);
    }
    return h;
  }

  private static ArrayNode history(ObjectNode config) {
    JsonNode h = config.get("history");
    if (h instanceof ArrayNode a) {
      return a;
    }
    return config.putArray("history");
  }

  private static String created(ImageContext ctx) {
    return DateTimeFormatter.ISO_INSTANT.format(ctx.created());
  }

  private static String goLabel(ImageContext ctx) {
    GoVersion v = GoVersion.parseOrNull(ctx.goVersion());
    return v == null ? ctx.goVersion() : v.toString();
  }

  /**
   * Writes the image to the OCI layout {@code dir}, keeping the other images there (an earlier
   * image of the release to the same repository); this image's tags move to the new digest. Blobs
   * first and index.json last, each file atomically: a crash leaves the previous index.json, whose
   * blobs are all still in place.
   */
  private static void writeLayout(
      Path dir,
      List<Built> built,
      byte[] top,
      String topDigest,
      String topType,
      List<String> tags,
      Path work)
      throws ImageException {
    try {
      Path blobs = Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
      for (Built b : built) {
        for (Blob x : b.blobs()) {
          putBlob(x, blobs.resolve(x.digest().substring(7)), work);
        }
        putBytes(blobs.resolve(b.digest().substring(7)), b.manifest());
      }
      putBytes(blobs.resolve(topDigest.substring(7)), top);
      ObjectNode layout = JSON.createObjectNode();
      layout.put("imageLayoutVersion", "1.0.0");
      FileTrees.writeAtomically(dir.resolve("oci-layout"), write(layout));
      List<JsonNode> entries = new ArrayList<>();
      Path indexFile = dir.resolve("index.json");
      if (Files.isRegularFile(indexFile)) {
        byte[] old = LayoutPusher.readJsonFile(indexFile, "the index.json of " + dir);
        for (JsonNode d : parse(old, indexFile.toString()).path("manifests")) {
          if (!tags.contains(refName(d))) {
            entries.add(d);
          }
        }
      }
      for (String tag : tags) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", topType);
        d.put("digest", topDigest);
        d.put("size", top.length);
        d.putObject("annotations").put(OciLayoutSource.REF_NAME, tag);
        entries.add(d);
      }
      writeIndex(indexFile, entries);
    } catch (IOException e) {
      throw new ImageException("cannot write the OCI layout " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes a layout's index.json with {@code entries} in {@link #LAYOUT_ORDER}, atomically. */
  static void writeIndex(Path indexFile, List<JsonNode> entries)
      throws IOException, ImageException {
    List<JsonNode> sorted = new ArrayList<>(entries);
    sorted.sort(LAYOUT_ORDER);
    ObjectNode idx = JSON.createObjectNode();
    idx.put("schemaVersion", 2);
    idx.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode ms = idx.putArray("manifests");
    sorted.forEach(ms::add);
    FileTrees.writeAtomically(indexFile, write(idx));
  }

  /**
   * The order of a layout's index.json entries: images may be written in any order (or re-written),
   * and documents attached, and the index must not show it.
   */
  static final Comparator<JsonNode> LAYOUT_ORDER =
      Comparator.comparing(ImageRebuilder::refName).thenComparing(d -> d.path("digest").asText(""));

  private static String refName(JsonNode descriptor) {
    return descriptor.path("annotations").path(OciLayoutSource.REF_NAME).asText("");
  }

  /**
   * Puts a blob file into the layout. A file of this rebuild's work directory, which is deleted
   * afterwards, is hard-linked when it can be, which saves copying large base layers; any other
   * (e.g. of an original's OCI layout) is copied, so that the two layouts share no file.
   */
  private static void putBlob(Blob blob, Path to, Path work) throws ImageException, IOException {
    long size = sizeOf(blob.file());
    if (size != blob.size()) {
      throw new ImageException(
          "blob "
              + blob.digest()
              + " is "
              + size
              + " bytes, its descriptor says "
              + blob.size()
              + ": the original image is broken");
    }
    if (holds(to, blob.size(), blob.digest())) {
      return;
    }
    Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    boolean linked = false;
    if (blob.file().toAbsolutePath().normalize().startsWith(work.toAbsolutePath().normalize())) {
      try {
        Files.createLink(tmp, blob.file());
        linked = true;
      } catch (IOException | UnsupportedOperationException e) {
        // another file system, or no hard links there: copy
      }
    }
    if (!linked) {
      Files.copy(blob.file(), tmp);
    }
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void putBytes(Path to, byte[] bytes) throws IOException {
    if (!holds(to, bytes.length, Digest.of(bytes).toString())) {
      FileTrees.writeAtomically(to, bytes);
    }
  }

  /**
   * Whether {@code file} already is the blob: a leftover of an earlier run may have been changed.
   */
  private static boolean holds(Path file, long size, String digest) throws IOException {
    return Files.isRegularFile(file)
        && Files.size(file) == size
        && Digest.of(file).toString().equals(digest);
  }

  private static long sizeOf(Path file) throws ImageException {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode readBlobJson(ImageSource src, String digest) throws ImageException {
    Path file = src.blob(digest);
    try {
      return parse(Files.readAllBytes(file), "config " + digest);
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(byte[] bytes, String what) throws ImageException {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new ImageException(what + " is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new ImageException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static byte[] write(JsonNode n) throws ImageException {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new ImageException("cannot serialise JSON: " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // A leftover temporary directory does not change any result.
    }
  }
}
