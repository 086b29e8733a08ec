package dev.rebuild.core.image;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.release.ReleaseContext;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The release pipeline's image stage: rebuilds each configured container image with the binaries
 * the build stage made, and pushes it (or, with skipPublish, writes it as an OCI image layout under
 * {@code <tag>/images/}). Each result is recorded in the release manifest.
 */
public final class ImageStage implements Stage {

  /** The placeholders image names and tags may use; images span all targets, so no os/arch. */
  public static final Set<String> PLACEHOLDERS = Set.of("project", "version", "tag", "goVersion");

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
   * How images are published.
   *
   * @param insecureRegistries {@code host[:port]} spoken to over plain HTTP
   * @param moveTags tags that may be moved off another image
   * @param skipPublish write OCI layouts under {@code <tag>/images/} and push nothing
   * @param credentials registry credentials; never logged
   */
  public record Publishing(
      Set<String> insecureRegistries,
      Set<String> moveTags,
      boolean skipPublish,
      CredentialSource credentials) {
    public Publishing {
      insecureRegistries = Set.copyOf(insecureRegistries);
      moveTags = Set.copyOf(moveTags);
      credentials = credentials == null ? CredentialSource.NONE : credentials;
    }
  }

  private final List<ImageTemplate> images;
  private final Publishing publishing;
  private final BinaryIdentifier identifier;
  private final RegistryClientFactory registries;

  public ImageStage(List<ImageTemplate> images, Publishing publishing) {
    this(images, publishing, new GoBuildInfoIdentifier(), RegistryClientFactory.DEFAULT);
  }

  ImageStage(
      List<ImageTemplate> images,
      Publishing publishing,
      BinaryIdentifier identifier,
      RegistryClientFactory registries) {
    this.images = List.copyOf(images);
    this.publishing = publishing;
    this.identifier = identifier;
    this.registries = registries;
  }

  @Override
  public String name() {
    return "images";
  }

  @Override
  public void run(ReleaseContext ctx) throws RebuildException {
    if (images.isEmpty()) {
      return;
    }
    ReleaseListener log = ctx.listener();
    List<RebuiltBinary> binaries = rebuiltBinaries(ctx.builds());
    Map<String, String> values = new TreeMap<>(ctx.placeholders(ctx.builds().get(0).platform()));
    values.keySet().retainAll(PLACEHOLDERS);
    // OCI layouts are written aside and put in place only when every image succeeded.
    Path staging = ctx.workDirectory().resolve("images");
    Path layouts = ctx.tagDirectory().resolve("images");
    try {
      FileTrees.deleteTree(staging);
    } catch (IOException e) {
      throw RebuildException.tool("cannot clear " + staging + ": " + e.getMessage(), e);
    }
    ImageRebuilder rebuilder = new ImageRebuilder(registries, identifier, listener(log));
    for (ImageTemplate template : images) {
      ImageSpec spec = template.expand(values);
      Path outputDir = staging.resolve(layoutDirectory(spec.name()));
      ImageContext ictx =
          new ImageContext(
              values.get("version"),
              ctx.commit(),
              ctx.commitTime(),
              ctx.toolchain().version().toString(),
              publishing.insecureRegistries(),
              publishing.moveTags(),
              publishing.skipPublish(),
              outputDir,
              publishing.credentials());
      log.info("image " + spec.original() + " -> " + spec.name() + ":" + spec.tags().get(0));
      ImageResult r;
      try {
        r = rebuilder.rebuild(spec, binaries, ictx);
      } catch (ImageException e) {
        throw new RebuildException(
            e.kind() == ImageException.Kind.BAD_INPUT
                ? RebuildException.Kind.BAD_INPUT
                : RebuildException.Kind.TOOL,
            "images",
            "image " + spec.name() + " (from " + spec.original() + "): " + e.getMessage(),
            e);
      }
      ctx.addImage(
          new ReleaseManifest.Image(
              spec.original(),
              r.originalDigest(),
              r.reference(),
              r.digest(),
              spec.tags(),
              // Whether the image is in the registry, not whether this run had to upload
              // anything: a re-run records the same manifest.
              !publishing.skipPublish(),
              r.platforms().stream()
                  .map(
                      p ->
                          new ReleaseManifest.ImagePlatform(
                              p.platform().toString(),
                              p.originalDigest(),
                              p.digest(),
                              p.replacedPaths()))
                  .toList()));
    }
    if (publishing.skipPublish()) {
      try {
        FileTrees.deleteTree(layouts);
        Files.createDirectories(layouts.getParent());
        Files.move(staging, layouts, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw RebuildException.tool(
            "cannot move the OCI layouts to " + layouts + ": " + e.getMessage(), e);
      }
      log.info("OCI image layouts in " + layouts);
    }
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

  private static ImageListener listener(ReleaseListener log) {
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
