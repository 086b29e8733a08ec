package dev.rebuild.core.pipeline;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.build.GoBuilder;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import dev.rebuild.core.image.GoBuildInfoIdentifier;
import dev.rebuild.core.image.ImageException;
import dev.rebuild.core.image.ImageRebuilder;
import dev.rebuild.core.image.RegistryClientFactory;
import dev.rebuild.core.infer.InferredRecipe;
import dev.rebuild.core.infer.RecipeInference;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.publish.Destination;
import dev.rebuild.core.publish.PublishRecord;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BinaryInspector;
import dev.rebuild.core.release.RebuildPlan;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.BuildStage;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.stage.PackageStage;
import dev.rebuild.core.stage.ProvenanceStage;
import dev.rebuild.core.stage.SourceStage;
import dev.rebuild.core.stage.VerifyStage;
import dev.rebuild.core.toolchain.Toolchain;
import dev.rebuild.core.toolchain.ToolchainException;
import dev.rebuild.core.toolchain.ToolchainProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Rebuilds one release tag in three phases that hand over through the tag directory on disk:
 *
 * <ul>
 *   <li><b>build</b>: resolve the tag, provide the toolchain, check out, build, pack, verify, and
 *       write the images as OCI layouts, all into {@code staging/}; nothing leaves the machine;
 *   <li><b>commit</b>: {@link TagDirectory#commit}, the manifest last;
 *   <li><b>publish</b>: reads only the committed directory, checks it against {@code SHA256SUMS}
 *       and the manifest, pushes the images, and records each destination in {@code publish/}.
 * </ul>
 *
 * <p>Every phase runs holding the tag directory's {@link TagLock} and first {@linkplain
 * TagDirectory#recover() recovers} what a killed run left. The targets of one release can also be
 * built on several machines as {@linkplain #part parts} and {@linkplain #merge merged}.
 */
public final class ReleasePipeline {

  private final ProcessRunner runner;
  private final ToolchainProvider toolchains;
  private final BinaryInspector inspector;
  private final Map<String, String> environment;
  private final ReleaseListener listener;
  private final RegistryClientFactory registries;
  private final Clock clock;

  /**
   * @param environment this process's environment; git and go inherit it (minus the variables that
   *     would change the build)
   */
  public ReleasePipeline(
      ProcessRunner runner,
      ToolchainProvider toolchains,
      BinaryInspector inspector,
      Map<String, String> environment,
      ReleaseListener listener) {
    this(
        runner,
        toolchains,
        inspector,
        environment,
        listener,
        RegistryClientFactory.DEFAULT,
        Clock.systemUTC());
  }

  /**
   * @param clock only for the lock file's "since"; nothing the rebuild writes takes the clock
   */
  public ReleasePipeline(
      ProcessRunner runner,
      ToolchainProvider toolchains,
      BinaryInspector inspector,
      Map<String, String> environment,
      ReleaseListener listener,
      RegistryClientFactory registries,
      Clock clock) {
    this.runner = runner;
    this.toolchains = toolchains;
    this.inspector = inspector;
    this.environment = Map.copyOf(environment);
    this.listener = listener;
    this.registries = registries;
    this.clock = clock;
  }

  /**
   * A pipeline that can only {@linkplain #publish publish}: it runs no process and provides no
   * toolchain.
   */
  public static ReleasePipeline publisher(ReleaseListener listener) {
    return new ReleasePipeline(
        (cmd, dir, env, timeout) -> {
          throw new IOException("publishing runs no process");
        },
        requested -> {
          throw new ToolchainException("publishing provides no toolchain");
        },
        binary -> java.util.Optional.empty(),
        Map.of(),
        listener);
  }

  /** Build, commit; no verification, no image. */
  public RebuildResult release(RebuildRequest request) throws RebuildException {
    return release(request, ReleaseOptions.plain());
  }

  /** Build, commit and (unless {@code skipPublish}) publish. */
  public RebuildResult release(RebuildRequest request, ReleaseOptions options)
      throws RebuildException {
    TagDirectory dir = new TagDirectory(tagDirectory(request), listener);
    checkWritable(dir.root());
    try (TagLock lock = TagLock.acquire(dir.root(), clock)) {
      dir.recover();
      ReleaseManifest manifest = timed("build", () -> build(dir, request, options));
      timed("commit", () -> commit(dir, manifest));
      return publishOrNot(dir, manifest, options);
    }
  }

  /**
   * Publishes a committed tag directory: checks every file against {@code SHA256SUMS} and the
   * manifest, then pushes the images. Publishing again sends only what a destination lacks.
   */
  public RebuildResult publish(Path tagDirectory, ImageStage.Registries access)
      throws RebuildException {
    return publish(tagDirectory, access, List.of());
  }

  /**
   * Publishes a committed tag directory: checks every file against {@code SHA256SUMS} and the
   * manifest, pushes the images, then uploads the files to each destination. Publishing again sends
   * only what a destination lacks; a destination that fails leaves the others as they are.
   */
  public RebuildResult publish(
      Path tagDirectory, ImageStage.Registries access, List<Destination> destinations)
      throws RebuildException {
    TagDirectory dir = new TagDirectory(tagDirectory, listener);
    if (!Files.isDirectory(tagDirectory)) {
      throw RebuildException.badInput(
          "tagDirectory",
          tagDirectory
              + " does not exist\nRun rebuild:release for the tag first, or point"
              + " rebuild.tagDirectory (-Dtag with rebuild.outputDirectory) at its tag directory.");
    }
    try (TagLock lock = TagLock.acquire(dir.root(), clock)) {
      dir.recover();
      return timed("publish", () -> publishLocked(dir, access, destinations));
    }
  }

  private RebuildResult publishOrNot(
      TagDirectory dir, ReleaseManifest manifest, ReleaseOptions options) throws RebuildException {
    if (options.skipPublish()) {
      if (!manifest.images().isEmpty()) {
        listener.info(
            "skipPublish: the images stay OCI layouts in "
                + dir.root().resolve(TagDirectory.IMAGES)
                + "; rebuild:publish pushes them");
      }
      return result(dir, manifest, List.of());
    }
    try {
      return timed(
          "publish", () -> publishLocked(dir, options.registries(), options.destinations()));
    } catch (FilePublisher.Failed e) {
      throw e;
    } catch (RebuildException e) {
      throw new RebuildException(
          e.kind(),
          e.parameter(),
          e.getMessage()
              + "\nThe rebuild itself is committed in "
              + dir.root()
              + "; once the cause is fixed, publish it alone: mvn rebuild:publish"
              + " -Drebuild.tagDirectory="
              + dir.root()
              + " (nothing is built again, nothing already pushed is sent again).",
          e);
    }
  }

  private RebuildResult publishLocked(
      TagDirectory dir, ImageStage.Registries access, List<Destination> destinations)
      throws RebuildException {
    ReleaseManifest manifest = dir.verifyCommitted();
    listener.info(
        "checked "
            + manifest.artifacts().size()
            + " artifacts of "
            + dir.root()
            + " against "
            + TagDirectory.SUMS
            + " and the manifest");
    String sha;
    try {
      sha = Digest.of(dir.manifestFile()).hex();
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + dir.manifestFile() + ": " + e.getMessage(), e);
    }
    PublishedRelease files =
        destinations.isEmpty() ? null : FilePublisher.release(dir, manifest, sha);
    List<PublishRecord> records =
        new ArrayList<>(
            new ImagePublisher(registries, access).publish(dir, manifest, sha, listener));
    try {
      if (!records.isEmpty()) {
        Files.createDirectories(dir.publishRecords());
      }
      for (PublishRecord r : records) {
        FileTrees.writeAtomically(dir.publishRecords().resolve(r.fileName()), r.toJson());
      }
    } catch (IOException e) {
      throw RebuildException.tool(
          "published, but cannot write the publish record in "
              + dir.publishRecords()
              + ": "
              + e.getMessage(),
          e);
    }
    if (files != null) {
      records.addAll(FilePublisher.publish(dir, files, destinations, listener));
    } else if (records.isEmpty()) {
      listener.info(
          "nothing to publish: the release has no image and no destination is configured");
    }
    return result(dir, manifest, records);
  }

  private RebuildResult result(
      TagDirectory dir, ReleaseManifest manifest, List<PublishRecord> published) {
    return new RebuildResult(
        dir.root(), dir.dist(), dir.checksums(), dir.manifestFile(), manifest, published);
  }

  private void commit(TagDirectory dir, ReleaseManifest manifest) throws RebuildException {
    dir.commit(manifest);
    listener.info("committed " + dir.root());
  }

  /**
   * What the build phase found out before building: commit, checkout, toolchain, names, and the
   * recipe (the request's, or read from the original release).
   *
   * @param inferred null unless the recipe was read from the original release
   */
  private record Prepared(
      SourceStage.Checkout source,
      Toolchain toolchain,
      ReleaseNames names,
      Recipe recipe,
      InferredRecipe inferred) {}

  private Prepared prepare(TagDirectory dir, RebuildRequest request) throws RebuildException {
    SourceStage source = new SourceStage(runner, environment, listener);
    listener.stage("resolve tag", "");
    if (request.inference() == null) {
      BuildStage.checkEnv(request.recipe());
    }
    String commit = source.resolve(request.source(), request.tag());
    listener.stage("toolchain", "");
    Toolchain toolchain;
    try {
      toolchain = toolchains.provide(request.go());
    } catch (ToolchainException e) {
      throw RebuildException.badInput("go", e.getMessage());
    }
    listener.info("Go " + toolchain.version() + " from " + toolchain.origin());
    listener.stage("checkout", "");
    SourceStage.Checkout co =
        source.checkout(
            request.source(), request.tag(), commit, request.projectName(), dir.checkout());
    ReleaseNames names =
        new ReleaseNames(co.project(), request.tag(), toolchain.version().number());
    if (request.inference() == null) {
      return new Prepared(co, toolchain, names, request.recipe(), null);
    }
    listener.stage("infer recipe", "");
    RebuildRequest.Inference from = request.inference();
    Path work = dir.work().resolve("infer");
    InferredRecipe inferred =
        RecipeInference.infer(
            from.image() == null
                ? from.original().files(work, from.names(), request.tag())
                : imageFiles(from, work),
            new RecipeInference.Release(co.commit(), co.commitTime(), names, from.label()),
            from.explicit(),
            work);
    for (String note : inferred.notes()) {
      listener.info("recipe: " + note);
    }
    BuildStage.checkEnv(inferred.recipe());
    return new Prepared(co, toolchain, names, inferred.recipe(), inferred);
  }

  /** The Go binaries of each platform image of the original image, a directory per platform. */
  private List<Path> imageFiles(RebuildRequest.Inference from, Path work) throws RebuildException {
    try {
      return List.copyOf(
          new ImageRebuilder(
                  registries, new GoBuildInfoIdentifier(), ImageStage.imageListener(listener))
              .originalBinaries(
                  from.image(),
                  from.registries().credentials(),
                  from.registries().insecureRegistries(),
                  work.resolve("image"))
              .values());
    } catch (ImageException e) {
      throw new RebuildException(
          e.kind() == ImageException.Kind.BAD_INPUT
              ? RebuildException.Kind.BAD_INPUT
              : RebuildException.Kind.TOOL,
          "original",
          e.getMessage()
              + "\nSet rebuild.original to the original release's image (a registry reference"
              + " as image:REF, oci-layout:DIR:REF or docker-archive:FILE) or its files.",
          e);
    }
  }

  private List<TargetBuild> buildTargets(
      TagDirectory dir, RebuildRequest request, Prepared p, List<Platform> targets)
      throws RebuildException {
    listener.stage("build", "");
    return new BuildStage(runner, environment, listener, request.parallelism())
        .build(
            p.source().directory(),
            p.toolchain(),
            p.recipe(),
            targets == null ? p.recipe().targets() : targets,
            p.names(),
            ReleaseNames.commitPlaceholders(p.source().commit(), p.source().commitTime()),
            dir.work().resolve("bin"));
  }

  private ReleaseManifest build(TagDirectory dir, RebuildRequest request, ReleaseOptions options)
      throws RebuildException {
    Path staging = dir.newStaging();
    Packed packed = buildAndPack(dir, request, null, staging.resolve(TagDirectory.DIST));
    Prepared p = packed.prepared();
    return finishBuild(
        dir,
        staging,
        p.recipe(),
        p.inferred() == null ? Map.of() : p.inferred().originals(),
        request.go(),
        packed.header(),
        packed.builds(),
        options);
  }

  /** What the build and package stages made: the manifest without sections, and the binaries. */
  private record Packed(ReleaseManifest header, List<TargetBuild> builds, Prepared prepared) {}

  private Packed buildAndPack(
      TagDirectory dir, RebuildRequest request, List<Platform> targets, Path dist)
      throws RebuildException {
    Prepared p = prepare(dir, request);
    List<TargetBuild> builds = buildTargets(dir, request, p, targets);
    listener.stage("package", "");
    List<ReleaseManifest.Artifact> artifacts =
        new PackageStage(inspector)
            .pack(
                builds,
                p.recipe(),
                p.names(),
                p.source().commitTime(),
                dist,
                p.inferred() == null ? Map.of() : p.inferred().extraMembers());
    ReleaseManifest header =
        header(
            p.recipe(),
            p.names(),
            p.source().module(),
            p.source().commit(),
            p.source().commitTime(),
            request.source(),
            toolchainRecord(p.toolchain()),
            artifacts);
    return new Packed(header, builds, p);
  }

  /** Verification and images: the build phase's stages after packing, shared with the merge. */
  private ReleaseManifest finishBuild(
      TagDirectory dir,
      Path staging,
      Recipe recipe,
      Map<Platform, Path> originals,
      String requestedGo,
      ReleaseManifest manifest,
      List<TargetBuild> builds,
      ReleaseOptions options)
      throws RebuildException {
    ReleaseNames names =
        new ReleaseNames(
            manifest.project(), manifest.tag(), GoVersion.parse(manifest.go().version()).number());
    Instant commitTime = Instant.parse(manifest.commitTime());
    String label;
    try {
      label = names.label(options.label());
    } catch (IllegalArgumentException e) {
      throw RebuildException.badInput("label", "bad label template: " + e.getMessage());
    }
    java.util.Optional<String> problem = ReleaseNames.labelProblem(label);
    if (problem.isPresent()) {
      throw RebuildException.badInput(
          "label",
          problem.get()
              + "; set rebuild.label to a template such as "
              + ReleaseNames.DEFAULT_LABEL);
    }
    manifest = manifest.withSection(ReleaseManifest.LABEL, label);
    if (options.verification() != null) {
      listener.stage("verify", "");
      var v =
          options
              .verification()
              .run(
                  new VerifyStage.Input(
                      manifest.tag(),
                      manifest.commit(),
                      manifest.go().version(),
                      names,
                      recipe,
                      manifest.artifacts(),
                      staging.resolve(TagDirectory.DIST),
                      staging,
                      dir.work(),
                      listener,
                      originals));
      manifest = manifest.withSection(ReleaseManifest.VERIFICATION, v);
    }
    if (!options.images().isEmpty()) {
      listener.stage("images", "");
      List<ReleaseManifest.Image> images =
          options
              .images()
              .run(
                  new ImageStage.Input(
                      builds,
                      names,
                      manifest.commit(),
                      commitTime,
                      manifest.go().version(),
                      staging.resolve(TagDirectory.IMAGES),
                      listener));
      manifest = manifest.withSection(ReleaseManifest.IMAGES, images);
    }
    if (options.provenance() != null) {
      listener.stage("provenance", "");
      List<ReleaseManifest.Attachment> attachments =
          options
              .provenance()
              .run(new ProvenanceStage.Input(manifest, requestedGo, staging, dir.work(), listener));
      manifest = manifest.withSection(ReleaseManifest.ATTACHMENTS, attachments);
    }
    return manifest;
  }

  /**
   * Builds some targets of the release as a part in {@code <outputRoot>/parts/<tag>/<targets>/}, to
   * be {@linkplain #merge merged} with the parts other machines build. Builds in the same checkout
   * directory as a one-machine run, so that the bytes are the same.
   *
   * @return the part's directory
   */
  public Path part(RebuildRequest request, List<Platform> targets) throws RebuildException {
    return Parts.build(this, request, targets);
  }

  /**
   * Joins parts into the tag directory of {@code request}: checks that they agree and cover every
   * target of the recipe exactly once, then verifies, rebuilds the images, commits and (unless
   * {@code skipPublish}) publishes, as a one-machine release would.
   */
  public RebuildResult merge(List<Path> parts, RebuildRequest request, ReleaseOptions options)
      throws RebuildException {
    return Parts.merge(this, parts, request, options);
  }

  // The part and merge flows live in Parts; these hooks give them the phases.

  TagDirectory tagDirectoryOf(RebuildRequest request) throws RebuildException {
    TagDirectory dir = new TagDirectory(tagDirectory(request), listener);
    checkWritable(dir.root());
    return dir;
  }

  TagLock lock(TagDirectory dir) throws RebuildException {
    return TagLock.acquire(dir.root(), clock);
  }

  ReleaseListener listener() {
    return listener;
  }

  /** The part flow's build: prepare, build the part's targets, pack them into {@code dist}. */
  PartBuild buildPart(TagDirectory dir, RebuildRequest request, List<Platform> targets, Path dist)
      throws RebuildException {
    Packed packed = buildAndPack(dir, request, targets, dist);
    return new PartBuild(
        packed.header(),
        packed.builds(),
        buildPaths(packed.prepared(), packed.prepared().recipe(), targets.get(0)));
  }

  record PartBuild(ReleaseManifest header, List<TargetBuild> builds, Part.BuildPaths paths) {}

  RebuildResult mergeCommitPublish(
      TagDirectory dir,
      Path staging,
      RebuildRequest request,
      ReleaseManifest header,
      List<TargetBuild> builds,
      ReleaseOptions options)
      throws RebuildException {
    ReleaseManifest manifest =
        finishBuild(
            dir, staging, request.recipe(), Map.of(), request.go(), header, builds, options);
    timed("commit", () -> commit(dir, manifest));
    return publishOrNot(dir, manifest, options);
  }

  private Part.BuildPaths buildPaths(Prepared p, Recipe recipe, Platform any)
      throws RebuildException {
    List<String> cmd = List.of(p.toolchain().goCommand().toString(), "env", "GOROOT", "GOMODCACHE");
    GoBuilder builder = new GoBuilder(runner, environment, 1, listener);
    ExecResult r = exec(cmd, p.source().directory(), builder.environment(recipe, any));
    List<String> lines = r.stdout().lines().toList();
    if (!r.ok() || lines.size() < 2) {
      throw RebuildException.tool("go env failed:\n" + r.tail(20), null);
    }
    return new Part.BuildPaths(p.source().directory().toString(), lines.get(0), lines.get(1));
  }

  /** The manifest without sections: the same for a one-machine run and a merge of parts. */
  static ReleaseManifest header(
      Recipe r,
      ReleaseNames names,
      String module,
      String commit,
      Instant commitTime,
      String source,
      ReleaseManifest.Toolchain go,
      List<ReleaseManifest.Artifact> artifacts) {
    return new ReleaseManifest(
        ReleaseManifest.SCHEMA,
        names.project(),
        module,
        names.tag(),
        names.version(),
        commit,
        DateTimeFormatter.ISO_INSTANT.format(commitTime),
        Redaction.redact(source),
        go,
        recipeRecord(r),
        artifacts,
        new TreeMap<>());
  }

  static ReleaseManifest.Toolchain toolchainRecord(Toolchain tc) {
    return new ReleaseManifest.Toolchain(
        tc.version().toString(), tc.origin(), Redaction.redact(tc.sourceUrl()), tc.archiveSha256());
  }

  /** The recipe as the manifest records it. */
  static ReleaseManifest.RecipeRecord recipeRecord(Recipe r) {
    ReleaseManifest.Archive archive =
        r.archive() == null
            ? null
            : new ReleaseManifest.Archive(
                r.archive().name().text(),
                r.archive().format().extension(),
                new TreeMap<>(
                    r.archive().formatOverrides().entrySet().stream()
                        .collect(
                            Collectors.toMap(Map.Entry::getKey, e -> e.getValue().extension()))),
                r.archive().binDir().text());
    TreeMap<String, ReleaseManifest.TargetRecord> perTarget = new TreeMap<>();
    r.perTarget()
        .forEach(
            (target, v) ->
                perTarget.put(
                    target,
                    new ReleaseManifest.TargetRecord(
                        v.ldflags() == null ? null : v.ldflags().text(), recordedEnv(v.env()))));
    return new ReleaseManifest.RecipeRecord(
        r.targets().stream().map(Platform::toString).toList(),
        r.packages(),
        r.ldflags() == null ? null : r.ldflags().text(),
        r.buildTags(),
        r.trimpath(),
        r.buildFlags(),
        recordedEnv(r.env()),
        archive,
        perTarget.isEmpty() ? null : perTarget,
        r.binaryNames().isEmpty() ? null : new TreeMap<>(r.binaryNames()));
  }

  /** The variables that change a Go build, secrets redacted. */
  private static TreeMap<String, String> recordedEnv(Map<String, String> all) {
    TreeMap<String, String> env = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if (GoBuilder.changesBuild(k)) {
            env.put(k, Redaction.redactValue(k, v));
          }
        });
    return env;
  }

  /** Resolves, checks out and lists what {@link #release} would build; builds nothing. */
  public RebuildPlan plan(RebuildRequest request) throws RebuildException {
    TagDirectory dir = new TagDirectory(tagDirectory(request), listener);
    checkWritable(dir.root());
    Prepared p;
    try (TagLock lock = TagLock.acquire(dir.root(), clock)) {
      p = prepare(dir, request);
    }
    Recipe recipe = p.recipe();
    GoBuilder builder = new GoBuilder(runner, environment, 1, listener);
    List<RebuildPlan.TargetPlan> targets = new ArrayList<>();
    for (Platform pl : recipe.targets()) {
      List<String> cmd = new ArrayList<>();
      cmd.add(p.toolchain().goCommand().toString());
      cmd.add("list");
      if (!recipe.buildTags().isEmpty()) {
        cmd.add("-tags");
        cmd.add(String.join(",", recipe.buildTags()));
      }
      cmd.add("-f");
      cmd.add("{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}");
      cmd.addAll(recipe.packages().isEmpty() ? List.of("./...") : recipe.packages());
      ExecResult r = exec(cmd, p.source().directory(), builder.environment(recipe, pl));
      if (!r.ok()) {
        throw new RebuildException(
            RebuildException.Kind.BUILD_FAILED,
            "packages",
            "go list failed for " + pl + ":\n" + r.tail(20));
      }
      List<String> binaries =
          r.stdout()
              .lines()
              .filter(l -> !l.isBlank())
              .map(
                  l ->
                      recipe.binaryFileName(
                          l.trim(), PackageStage.binaryName(l.trim()) + pl.executableSuffix(), pl))
              .sorted()
              .toList();
      String artifact =
          recipe.archive() == null
              ? String.join(", ", binaries.stream().map(b -> PackageStage.bareName(b, pl)).toList())
              : PackageStage.archiveName(recipe.archive(), p.names(), pl)
                  + "."
                  + recipe.archive().formatFor(pl).extension();
      targets.add(new RebuildPlan.TargetPlan(pl, binaries, artifact));
    }
    return new RebuildPlan(
        request.tag(),
        p.source().commit(),
        p.source().commitTime(),
        Redaction.redact(request.source()),
        p.source().module(),
        p.source().project(),
        p.toolchain().version().toString(),
        p.toolchain().origin(),
        dir.root(),
        targets,
        p.inferred());
  }

  static Path tagDirectory(RebuildRequest request) throws RebuildException {
    return tagDirectory(request.outputRoot(), request.tag());
  }

  /**
   * {@code <outputRoot>/<tag>}, refusing a tag that would leave the output root.
   *
   * @throws RebuildException naming the parameter {@code tag}
   */
  public static Path tagDirectory(Path outputRoot, String tag) throws RebuildException {
    if (tag == null || tag.isBlank()) {
      throw RebuildException.badInput(
          "tag", "no tag given\nPass the release tag with -Dtag=<tag>.");
    }
    if (tag.contains("..") || tag.startsWith("/") || tag.contains("\\")) {
      throw RebuildException.badInput("tag", "'" + tag + "' is not a valid git tag name");
    }
    return outputRoot.resolve(tag);
  }

  private static void checkWritable(Path dir) throws RebuildException {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-test", "");
      Files.delete(probe);
    } catch (IOException e) {
      throw RebuildException.badInput(
          "outputDirectory",
          "cannot write to the output directory "
              + dir
              + " ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")\nSet rebuild.outputDirectory (<outputDirectory>) to a writable directory.");
    }
  }

  private ExecResult exec(List<String> cmd, Path dir, Map<String, String> env)
      throws RebuildException {
    try {
      return runner.run(cmd, dir, env, Duration.ofMinutes(30));
    } catch (IOException e) {
      throw RebuildException.tool("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
  }

  interface Phase<T> {
    T run() throws RebuildException;
  }

  interface VoidPhase {
    void run() throws RebuildException;
  }

  <T> T timed(String phase, Phase<T> body) throws RebuildException {
    long start = System.nanoTime();
    T t = body.run();
    listener.phaseDone(phase, Duration.ofNanos(System.nanoTime() - start));
    return t;
  }

  void timed(String phase, VoidPhase body) throws RebuildException {
    timed(
        phase,
        () -> {
          body.run();
          return null;
        });
  }
}
