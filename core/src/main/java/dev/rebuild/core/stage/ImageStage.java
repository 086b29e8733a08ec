package dev.rebuild.core.stage;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.image.BinaryIdentifier;
import dev.rebuild.core.image.CredentialSource;
import dev.rebuild.core.image.GoBuildInfoIdentifier;
import dev.rebuild.core.image.ImageContext;
import dev.rebuild.core.image.ImageException;
import dev.rebuild.core.image.ImageListener;
import dev.rebuild.core.image.ImageRebuilder;
import dev.rebuild.core.image.ImageResult;
import dev.rebuild.core.image.ImageSpec;
import dev.rebuild.core.image.PlatformImage;
import dev.rebuild.core.image.RebuiltBinary;
import dev.rebuild.core.image.Referrers;
import dev.rebuild.core.image.RegistryClientFactory;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.sbom.SbomWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The build phase's image stage: rebuilds each configured container image with the binaries the
 * build stage made and writes it as an OCI image layout under {@code images/} of the staging
 * directory, with documents attached to the image's digest as OCI referrers: its CycloneDX SBOM
 * ({@value #SBOM_FILE}), and what {@link ImageDocuments} add (provenance, VEX). Nothing leaves the
 * machine here; the publish phase pushes the committed layouts and their referrers.
 */
public final class ImageStage {

  /** The placeholders image names and tags may use; images span all targets, so no os/arch. */
  public static final Set<String> PLACEHOLDERS = Set.of("project", "version", "tag", "goVersion");

  /** The title of an image's SBOM among its referrers. */
  public static final String SBOM_FILE = "sbom.cdx.json";

  /**
   * Documents to attach to each rebuilt image besides its SBOM, e.g. provenance and VEX. Called
   * once the image is in its layout; what it returns is attached to {@code image.digest()}.
   */
  @FunctionalInterface
  public interface ImageDocuments {
    /**
     * @param image the image as the manifest will record it, {@code attached} still empty
     * @param result what the rebuild produced, with the rebuilt binary at each replaced path
     * @param sbom the image's SBOM, as attached
     */
    List<Referrers.Attachment> documents(
        ReleaseManifest.Image image, ImageResult result, byte[] sbom, Input in)
        throws RebuildException;

    /** No more documents. */
    ImageDocuments NONE = (image, result, sbom, in) -> List.of();
  }

  /** The main tag when an image names none. */
  public static final String DEFAULT_TAG = "{tag}-go{goVersion}";

  /** A configured image is wrong; {@link #field()} names the setting at fault. */
  public static final class InvalidImage extends IllegalArgumentException {
    private final String field;

    public InvalidImage(String field, String message) {
      super(message);
      this.field = field;
    }

    /** {@code original}, {@code name}, {@code tag}, {@code strategy}, {@code base}, ... */
    public String field() {
      return field;
    }
  }

  /** One configured image, its placeholders not yet expanded. */
  public record ImageTemplate(
      NameTemplate original,
      NameTemplate name,
      List<NameTemplate> tags,
      ImageSpec.Strategy strategy,
      NameTemplate base,
      List<Platform> platforms) {

    public ImageTemplate {
      tags = List.copyOf(tags);
      platforms = List.copyOf(platforms);
    }

    /**
     * Parses one image of the configuration.
     *
     * @param tags the target tags, first the main one; empty gives {@link #DEFAULT_TAG}
     * @param strategy {@code replace} (default, when null or blank) or {@code rebase}
     * @param base the base image, required with {@code rebase} and refused without it
     * @param platforms comma-separated platforms; null or blank means all of the original's
     * @throws InvalidImage naming the field at fault and the fix
     */
    public static ImageTemplate parse(
        String original,
        String name,
        List<String> tags,
        String strategy,
        String base,
        String platforms) {
      NameTemplate o = template("original", original, true);
      NameTemplate n = template("name", name, true);
      List<NameTemplate> t = new ArrayList<>();
      for (String tag : tags == null ? List.<String>of() : tags) {
        if (tag != null && !tag.isBlank()) {
          t.add(template("tag", tag, true));
        }
      }
      if (t.isEmpty()) {
        t.add(NameTemplate.parse(DEFAULT_TAG, PLACEHOLDERS));
      }
      ImageSpec.Strategy s;
      String st = strategy == null ? "" : strategy.trim().toLowerCase(Locale.ROOT);
      switch (st) {
        case "", "replace" -> s = ImageSpec.Strategy.REPLACE;
        case "rebase" -> s = ImageSpec.Strategy.REBASE;
        default ->
            throw new InvalidImage(
                "strategy",
                "strategy '" + strategy + "' is unknown: use replace (the default) or rebase");
      }
      NameTemplate b = template("base", base, false);
      if (s == ImageSpec.Strategy.REBASE && b == null) {
        throw new InvalidImage(
            "base", "the rebase strategy needs a base: the image the rebuilt binaries are put on");
      }
      if (s == ImageSpec.Strategy.REPLACE && b != null) {
        throw new InvalidImage(
            "base",
            "a base is only used with <strategy>rebase</strategy>: remove it or set the strategy");
      }
      List<Platform> p = List.of();
      if (platforms != null && !platforms.isBlank()) {
        try {
          p = Platform.parseList(platforms);
        } catch (IllegalArgumentException e) {
          throw new InvalidImage("platforms", e.getMessage());
        }
      }
      return new ImageTemplate(o, n, t, s, b, p);
    }

    private static NameTemplate template(String field, String text, boolean required) {
      if (text == null || text.isBlank()) {
        if (required) {
          throw new InvalidImage(field, field + " is missing");
        }
        return null;
      }
      try {
        return NameTemplate.parse(text.trim(), PLACEHOLDERS);
      } catch (IllegalArgumentException e) {
        throw new InvalidImage(field, e.getMessage());
      }
    }

    /** The spec with the release's values in place of the placeholders. */
    public ImageSpec expand(Map<String, String> values) {
      return new ImageSpec(
          original.expand(values),
          name.expand(values),
          tags.stream().map(t -> t.expand(values)).toList(),
          strategy,
          base == null ? null : base.expand(values),
          platforms);
    }
  }

  /**
   * How registries are spoken to: for reading the originals here, and for pushing in the publish
   * phase.
   *
   * @param insecureRegistries {@code host[:port]} spoken to over plain HTTP
   * @param moveTags tags that may be moved off another image
   * @param credentials registry credentials; never logged
   */
  public record Registries(
      Set<String> insecureRegistries, Set<String> moveTags, CredentialSource credentials) {
    public Registries {
      insecureRegistries = Set.copyOf(insecureRegistries);
      moveTags = Set.copyOf(moveTags);
      credentials = credentials == null ? CredentialSource.NONE : credentials;
    }

    /** Plain HTTPS, no tag moves, no credentials. */
    public static final Registries DEFAULT = new Registries(Set.of(), Set.of(), null);
  }

  /**
   * What the stage reads.
   *
   * @param go the rebuild's Go ({@code go1.22.12})
   * @param layouts the directory that gets one OCI layout per image repository
   */
  public record Input(
      List<TargetBuild> builds,
      ReleaseNames names,
      String commit,
      Instant commitTime,
      String go,
      Path layouts,
      ReleaseListener listener) {}

  private final List<ImageTemplate> images;
  private final Registries registries;
  private final BinaryIdentifier identifier;
  private final RegistryClientFactory clients;
  private final ImageDocuments documents;
  private final String tool;

  public ImageStage(List<ImageTemplate> images, Registries registries) {
    this(
        images,
        registries,
        new GoBuildInfoIdentifier(),
        RegistryClientFactory.DEFAULT,
        ImageDocuments.NONE,
        null);
  }

  ImageStage(
      List<ImageTemplate> images,
      Registries registries,
      BinaryIdentifier identifier,
      RegistryClientFactory clients,
      ImageDocuments documents,
      String tool) {
    this.images = List.copyOf(images);
    this.registries = registries;
    this.identifier = identifier;
    this.clients = clients;
    this.documents = documents;
    this.tool = tool;
  }

  /** This stage, attaching {@code more} documents to each image after its SBOM. */
  public ImageStage withDocuments(ImageDocuments more) {
    return new ImageStage(images, registries, identifier, clients, more, tool);
  }

  /** This stage, naming {@code version} of this program in the SBOMs' {@code metadata.tools}. */
  public ImageStage withTool(String version) {
    return new ImageStage(images, registries, identifier, clients, documents, version);
  }

  /** True when there is no image to rebuild. */
  public boolean isEmpty() {
    return images.isEmpty();
  }

  /** The directory under {@code images/} an image's layout goes to. */
  public static final String LAYOUTS = "images";

  /**
   * Rebuilds every image into {@code in.layouts()} (emptied first).
   *
   * @return the manifest's images section, layouts relative to the tag directory
   */
  public List<ReleaseManifest.Image> run(Input in) throws RebuildException {
    if (images.isEmpty()) {
      return List.of();
    }
    ReleaseListener log = in.listener();
    List<RebuiltBinary> binaries = rebuiltBinaries(in.builds());
    Map<String, String> values = new TreeMap<>(in.names().placeholders());
    values.keySet().retainAll(PLACEHOLDERS);
    Path staging = in.layouts();
    try {
      FileTrees.deleteTree(staging);
    } catch (IOException e) {
      throw RebuildException.tool("cannot clear " + staging + ": " + e.getMessage(), e);
    }
    List<ReleaseManifest.Image> out = new ArrayList<>();
    ImageRebuilder rebuilder = new ImageRebuilder(clients, identifier, imageListener(log));
    for (ImageTemplate template : images) {
      ImageSpec spec = template.expand(values);
      String layout = layoutDirectory(spec.name());
      Path outputDir = staging.resolve(layout);
      ImageContext ictx =
          new ImageContext(
              values.get("version"),
              in.commit(),
              in.commitTime(),
              in.go(),
              registries.insecureRegistries(),
              registries.moveTags(),
              true,
              outputDir,
              registries.credentials());
      log.info("image " + spec.original() + " -> " + spec.name() + ":" + spec.tags().get(0));
      ImageResult r;
      try {
        r = rebuilder.build(spec, binaries, ictx);
      } catch (ImageException e) {
        throw failure("image " + spec.name() + " (from " + spec.original() + ")", e);
      }
      ReleaseManifest.Image image =
          new ReleaseManifest.Image(
              spec.original(),
              r.originalDigest(),
              spec.name() + ":" + spec.tags().get(0),
              r.digest(),
              spec.tags(),
              LAYOUTS + "/" + layout,
              r.platforms().stream()
                  .map(
                      p ->
                          new ReleaseManifest.ImagePlatform(
                              p.platform().toString(),
                              p.originalDigest(),
                              p.digest(),
                              p.replacedPaths()))
                  .toList(),
              List.of());
      byte[] sbom = sbom(image, r, values.get("tag"), tool);
      List<Referrers.Attachment> attach = new ArrayList<>();
      attach.add(attachment(SbomWriter.MEDIA_TYPE, SBOM_FILE, sbom, in.commitTime()));
      attach.addAll(documents.documents(image, r, sbom, in));
      List<ReleaseManifest.Attached> attached = new ArrayList<>();
      for (Referrers.Attachment a : attach) {
        try {
          attached.add(
              new ReleaseManifest.Attached(
                  a.artifactType(),
                  a.fileName(),
                  r.digest(),
                  Referrers.attach(outputDir, r.digest(), a),
                  Digest.of(a.content()).hex()));
        } catch (ImageException e) {
          throw failure("attaching " + a.fileName() + " to image " + spec.name(), e);
        }
      }
      attached.sort(Comparator.comparing(ReleaseManifest.Attached::digest));
      log.info(
          "image "
              + image.reference()
              + ": attached "
              + String.join(", ", attach.stream().map(Referrers.Attachment::fileName).toList()));
      out.add(
          new ReleaseManifest.Image(
              image.original(),
              image.originalDigest(),
              image.reference(),
              image.digest(),
              image.tags(),
              image.layout(),
              image.platforms(),
              attached));
    }
    log.info(out.size() + (out.size() == 1 ? " image" : " images") + " written as OCI layouts");
    return out;
  }

  /**
   * A document as a referrer, dated by the tag's commit: {@code oras discover} shows the date, and
   * the same rebuild must give the same referrer.
   */
  public static Referrers.Attachment attachment(
      String artifactType, String fileName, byte[] content, Instant commitTime) {
    return new Referrers.Attachment(
        artifactType,
        fileName,
        content,
        new TreeMap<>(Map.of(Referrers.CREATED, DateTimeFormatter.ISO_INSTANT.format(commitTime))));
  }

  /** The CycloneDX SBOM of a rebuilt image: the rebuilt Go binaries of every platform in it. */
  static byte[] sbom(ReleaseManifest.Image image, ImageResult r, String tag, String tool)
      throws RebuildException {
    List<SbomWriter.Binary> binaries = new ArrayList<>();
    for (PlatformImage p : r.platforms()) {
      for (Map.Entry<String, Path> b : p.binaries().entrySet()) {
        try {
          binaries.add(SbomWriter.Binary.read(b.getValue(), b.getKey()));
        } catch (IOException e) {
          throw RebuildException.tool(
              "cannot read the build info of " + b.getValue() + ": " + e.getMessage(), e);
        }
      }
    }
    return SbomWriter.image(image.reference(), image.digest(), tag, tool, binaries);
  }

  /** Every linux binary of the release, named by its main package as its build info says. */
  private List<RebuiltBinary> rebuiltBinaries(List<TargetBuild> builds) throws RebuildException {
    List<RebuiltBinary> out = new ArrayList<>();
    for (TargetBuild b : builds) {
      if (!b.platform().os().equals("linux")) {
        continue;
      }
      for (Path file : b.binaries()) {
        Optional<String> main;
        try {
          main = identifier.mainPathOf(file);
        } catch (IOException e) {
          throw RebuildException.tool(
              "cannot read the build info of " + file + ": " + e.getMessage(), e);
        }
        main.ifPresent(m -> out.add(new RebuiltBinary(b.platform(), m, file)));
      }
    }
    return out;
  }

  /** {@code registry/nsqio/nsq} -> {@code nsqio/nsq}: the layout directory under images/. */
  static String layoutDirectory(String name) {
    String path = name;
    int slash = name.indexOf('/');
    if (slash > 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        path = name.substring(slash + 1);
      }
    }
    return path.replaceAll("[^A-Za-z0-9._/-]", "_").replace("..", "_");
  }

  /** An image failure as the pipeline's: bad input stays bad input, the rest is a tool's. */
  public static RebuildException failure(String context, ImageException e) {
    return new RebuildException(
        e.kind() == ImageException.Kind.BAD_INPUT
            ? RebuildException.Kind.BAD_INPUT
            : RebuildException.Kind.TOOL,
        "images",
        context + ": " + e.getMessage(),
        e);
  }

  /** Image progress as release log lines ({@code image: pushed blob sha256:...}). */
  public static ImageListener imageListener(ReleaseListener log) {
    return new ImageListener() {
      @Override
      public void progress(String message) {
        log.info("image: " + message);
      }

      @Override
      public void pushed(Pushed what, String id) {
        log.info("image: pushed " + what.name().toLowerCase(Locale.ROOT) + " " + id);
      }
    };
  }
}
