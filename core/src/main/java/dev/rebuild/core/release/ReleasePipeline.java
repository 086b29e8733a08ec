package dev.rebuild.core.release;

import static dev.rebuild.core.io.FileTrees.deleteTree;
import static dev.rebuild.core.io.FileTrees.writeAtomically;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.archive.ArchiveWriter;
import dev.rebuild.core.build.GoBuilder;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import dev.rebuild.core.git.GitSource;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveFormat;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.toolchain.ToolchainException;
import dev.rebuild.core.toolchain.ToolchainProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Rebuilds one release tag: resolve tag, provision toolchain, check out, build, package, write
 * checksums and manifest. Each step is a {@link Stage}; extra stages (verification, images) run
 * after packaging and before the outputs are put in place, so a failed check publishes nothing.
 */
public final class ReleasePipeline {

  private final ProcessRunner runner;
  private final ToolchainProvider toolchains;
  private final BinaryInspector inspector;
  private final Map<String, String> environment;
  private final ReleaseListener listener;
  private final List<Stage> extraStages;

  /**
   * @param environment this process's environment; git and go inherit it (minus the variables that
   *     would change the build)
   * @param extraStages run after packaging, before anything is put in place
   */
  public ReleasePipeline(
      ProcessRunner runner,
      ToolchainProvider toolchains,
      BinaryInspector inspector,
      Map<String, String> environment,
      ReleaseListener listener,
      List<Stage> extraStages) {
    this.runner = runner;
    this.toolchains = toolchains;
    this.inspector = inspector;
    this.environment = Map.copyOf(environment);
    this.listener = listener;
    this.extraStages = List.copyOf(extraStages);
  }

  /** Rebuilds the release and writes {@code dist/}, {@code SHA256SUMS} and the manifest. */
  public RebuildResult release(RebuildRequest request) throws RebuildException {
    ReleaseContext ctx = new ReleaseContext(request, tagDirectory(request), listener);
    List<Stage> stages = new ArrayList<>(preparation());
    stages.add(stage("build", this::build));
    stages.add(stage("package", this::packageArtifacts));
    stages.addAll(extraStages);
    for (Stage s : stages) {
      listener.stage(s.name(), "");
      s.run(ctx);
    }
    listener.stage("write", "");
    return putInPlace(ctx);
  }

  /** Resolves, checks out and lists what {@link #release} would build; builds nothing. */
  public RebuildPlan plan(RebuildRequest request) throws RebuildException {
    ReleaseContext ctx = new ReleaseContext(request, tagDirectory(request), listener);
    for (Stage s : preparation()) {
      listener.stage(s.name(), "");
      s.run(ctx);
    }
    Recipe recipe = request.recipe();
    GoBuilder builder = new GoBuilder(runner, environment, 1, listener);
    List<RebuildPlan.TargetPlan> targets = new ArrayList<>();
    for (Platform p : recipe.targets()) {
      List<String> cmd = new ArrayList<>();
      cmd.add(ctx.toolchain().goCommand().toString());
      cmd.add("list");
      if (!recipe.buildTags().isEmpty()) {
        cmd.add("-tags");
        cmd.add(String.join(",", recipe.buildTags()));
      }
      cmd.add("-f");
      cmd.add("{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}");
      cmd.addAll(recipe.packages().isEmpty() ? List.of("./...") : recipe.packages());
      ExecResult r = exec(cmd, ctx.checkout(), builder.environment(recipe, p));
      if (!r.ok()) {
        throw new RebuildException(
            RebuildException.Kind.BUILD_FAILED,
            "packages",
            "go list failed for " + p + ":\n" + r.tail(20));
      }
      List<String> binaries =
          r.stdout()
              .lines()
              .filter(l -> !l.isBlank())
              .map(l -> binaryName(l.trim()) + p.executableSuffix())
              .sorted()
              .toList();
      String artifact =
          recipe.archive() == null
              ? String.join(", ", binaries.stream().map(b -> bareName(b, p)).toList())
              : archiveName(ctx, recipe.archive(), p)
                  + "."
                  + recipe.archive().formatFor(p).extension();
      targets.add(new RebuildPlan.TargetPlan(p, binaries, artifact));
    }
    return new RebuildPlan(
        request.tag(),
        ctx.commit(),
        ctx.commitTime(),
        Redaction.redact(request.source()),
        ctx.module(),
        ctx.project(),
        ctx.toolchain().version().toString(),
        ctx.toolchain().origin(),
        ctx.tagDirectory(),
        targets);
  }

  private List<Stage> preparation() {
    return List.of(
        stage("resolve tag", this::resolveTag),
        stage("toolchain", this::provisionToolchain),
        stage("checkout", this::checkout));
  }

  private static Path tagDirectory(RebuildRequest request) throws RebuildException {
    String tag = request.tag();
    if (tag == null || tag.isBlank()) {
      throw RebuildException.badInput(
          "tag", "no tag given\nPass the release tag with -Dtag=<tag>.");
    }
    if (tag.contains("..") || tag.startsWith("/") || tag.contains("\\")) {
      throw RebuildException.badInput("tag", "'" + tag + "' is not a valid git tag name");
    }
    return request.outputRoot().resolve(tag);
  }

  private void resolveTag(ReleaseContext ctx) throws RebuildException {
    Path dir = ctx.tagDirectory();
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
    checkEnv(ctx.request().recipe());
    GitSource git = git(ctx);
    ctx.commit = git.resolveTag(ctx.request().tag());
    listener.info(
        "tag " + ctx.request().tag() + " is commit " + ctx.commit + " of " + git.displayName());
  }

  private static void checkEnv(Recipe recipe) throws RebuildException {
    for (String key : recipe.env().keySet()) {
      if (GoBuilder.RESERVED_ENV.contains(key)) {
        throw RebuildException.badInput(
            "env",
            "<env> must not set "
                + key
                + ": the rebuild sets it (targets choose GOOS/GOARCH/GOARM/GOAMD64, -Dgo the"
                + " toolchain). Remove it from <env>.");
      }
    }
  }

  private void provisionToolchain(ReleaseContext ctx) throws RebuildException {
    try {
      ctx.toolchain = toolchains.provide(ctx.request().go());
    } catch (ToolchainException e) {
      throw RebuildException.badInput("go", e.getMessage());
    }
    listener.info("Go " + ctx.toolchain.version() + " from " + ctx.toolchain.origin());
  }

  private void checkout(ReleaseContext ctx) throws RebuildException {
    Path src = ctx.checkout();
    try {
      if (Files.exists(src) && !Files.isDirectory(src.resolve(".git"))) {
        deleteTree(src);
      }
    } catch (IOException e) {
      throw RebuildException.tool("cannot clear " + src + ": " + e.getMessage(), e);
    }
    GitSource git = git(ctx);
    git.checkout(ctx.request().tag(), ctx.commit, src);
    ctx.commitTime = git.commitTime(src, ctx.commit);
    ctx.module = modulePath(src);
    ctx.project =
        ctx.request().recipe().projectName() != null
            ? ctx.request().recipe().projectName()
            : projectFromModule(ctx.module);
    listener.info("module " + ctx.module + " at " + src);
  }

  private void build(ReleaseContext ctx) throws RebuildException {
    Recipe recipe = ctx.request().recipe();
    Map<Platform, String> ldflags = new HashMap<>();
    for (Platform p : recipe.targets()) {
      ldflags.put(p, recipe.ldflags() == null ? "" : recipe.ldflags().expand(ctx.placeholders(p)));
    }
    GoBuilder builder = new GoBuilder(runner, environment, ctx.request().parallelism(), listener);
    ctx.builds.clear();
    ctx.builds.addAll(
        builder.build(
            ctx.toolchain().goCommand(),
            ctx.checkout(),
            recipe,
            ldflags,
            ctx.workDirectory().resolve("bin")));
  }

  private void packageArtifacts(ReleaseContext ctx) throws RebuildException {
    Path staging = ctx.workDirectory().resolve("dist");
    Recipe recipe = ctx.request().recipe();
    ctx.artifacts.clear();
    try {
      deleteTree(staging);
      Files.createDirectories(staging);
      for (TargetBuild b : ctx.builds()) {
        Platform p = b.platform();
        List<ReleaseManifest.Binary> binaries = new ArrayList<>();
        if (recipe.archive() == null) {
          for (Path bin : b.binaries()) {
            String name = bareName(bin.getFileName().toString(), p);
            Path out = staging.resolve(name);
            Files.copy(bin, out, StandardCopyOption.REPLACE_EXISTING);
            ReleaseManifest.Binary info = describe(bin, name);
            ctx.artifacts.add(
                new ReleaseManifest.Artifact(
                    name,
                    "binary",
                    p.os(),
                    p.archLabel(),
                    info.size(),
                    info.sha256(),
                    List.of(info)));
          }
          continue;
        }
        ArchiveSpec spec = recipe.archive();
        String base = archiveName(ctx, spec, p);
        Map<String, String> values = ctx.placeholders(p);
        values.put("name", base);
        String binDir = spec.binDir().expand(values);
        String prefix = binDir.isEmpty() ? "" : (binDir.endsWith("/") ? binDir : binDir + "/");
        List<ArchiveWriter.Entry> entries = new ArrayList<>();
        for (Path bin : b.binaries()) {
          String entry = prefix + bin.getFileName();
          entries.add(new ArchiveWriter.Entry(entry, bin, 0755));
          binaries.add(describe(bin, entry));
        }
        ArchiveFormat format = spec.formatFor(p);
        String fileName = base + "." + format.extension();
        Path out = staging.resolve(fileName);
        ArchiveWriter.write(format, out, entries, ctx.commitTime());
        ctx.artifacts.add(
            new ReleaseManifest.Artifact(
                fileName,
                "archive",
                p.os(),
                p.archLabel(),
                Files.size(out),
                Digest.of(out).hex(),
                List.copyOf(binaries)));
      }
    } catch (IOException e) {
      throw RebuildException.tool("packaging failed: " + e.getMessage(), e);
    }
    ctx.artifacts.sort((a, b) -> a.name().compareTo(b.name()));
    for (int i = 1; i < ctx.artifacts.size(); i++) {
      if (ctx.artifacts.get(i).name().equals(ctx.artifacts.get(i - 1).name())) {
        throw RebuildException.badInput(
            "archive.name",
            "two targets produce the same artifact name "
                + ctx.artifacts.get(i).name()
                + "\nUse {os} and {arch} in <archive><name>.");
      }
    }
  }

  private ReleaseManifest.Binary describe(Path bin, String path) throws IOException {
    Optional<BinaryInspector.BinaryFacts> facts = inspector.inspect(bin);
    return new ReleaseManifest.Binary(
        path,
        facts.map(BinaryInspector.BinaryFacts::mainPath).orElse(null),
        facts.map(BinaryInspector.BinaryFacts::goVersion).orElse(null),
        facts.map(BinaryInspector.BinaryFacts::goos).orElse(null),
        facts.map(BinaryInspector.BinaryFacts::goarch).orElse(null),
        facts.map(BinaryInspector.BinaryFacts::vcsRevision).orElse(null),
        facts.map(BinaryInspector.BinaryFacts::vcsModified).orElse(null),
        Files.size(bin),
        Digest.of(bin).hex());
  }

  private RebuildResult putInPlace(ReleaseContext ctx) throws RebuildException {
    Path dir = ctx.tagDirectory();
    Path dist = dir.resolve("dist");
    Path sums = dir.resolve("SHA256SUMS");
    Path manifestFile = dir.resolve("rebuild-manifest.json");
    ReleaseManifest manifest = manifest(ctx);
    try {
      StringBuilder lines = new StringBuilder();
      for (ReleaseManifest.Artifact a : ctx.artifacts()) {
        lines.append(a.sha256()).append("  ").append(a.name()).append('\n');
      }
      byte[] manifestBytes = ReleaseManifest.mapper().writeValueAsBytes(manifest);
      deleteTree(dist);
      Files.move(ctx.workDirectory().resolve("dist"), dist, StandardCopyOption.ATOMIC_MOVE);
      writeAtomically(sums, lines.toString().getBytes(StandardCharsets.UTF_8));
      writeAtomically(manifestFile, manifestBytes);
    } catch (IOException e) {
      throw RebuildException.tool("cannot write the outputs in " + dir + ": " + e.getMessage(), e);
    }
    return new RebuildResult(dir, dist, sums, manifestFile, manifest);
  }

  private ReleaseManifest manifest(ReleaseContext ctx) {
    RebuildRequest req = ctx.request();
    Recipe r = req.recipe();
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
    TreeMap<String, String> env = new TreeMap<>();
    r.env().forEach((k, v) -> env.put(k, Redaction.redact(v)));
    ReleaseManifest.RecipeRecord recipe =
        new ReleaseManifest.RecipeRecord(
            r.targets().stream().map(Platform::toString).toList(),
            r.packages(),
            r.ldflags() == null ? null : r.ldflags().text(),
            r.buildTags(),
            r.trimpath(),
            r.buildFlags(),
            env,
            archive);
    var tc = ctx.toolchain();
    return new ReleaseManifest(
        ReleaseManifest.SCHEMA,
        ctx.project(),
        ctx.module(),
        req.tag(),
        ctx.placeholders(r.targets().get(0)).get("version"),
        ctx.commit(),
        DateTimeFormatter.ISO_INSTANT.format(ctx.commitTime()),
        Redaction.redact(req.source()),
        new ReleaseManifest.Toolchain(
            tc.version().toString(),
            tc.origin(),
            Redaction.redact(tc.sourceUrl()),
            tc.archiveSha256()),
        recipe,
        ctx.artifacts(),
        ctx.images().isEmpty() ? null : ctx.images(),
        ctx.verification);
  }

  static String archiveName(ReleaseContext ctx, ArchiveSpec spec, Platform p) {
    return spec.name().expand(ctx.placeholders(p));
  }

  /**
   * A bare binary's name in {@code dist/}: {@code nsqd-linux-amd64}, {@code
   * nsqd-windows-amd64.exe}.
   */
  static String bareName(String binary, Platform p) {
    String suffix = p.executableSuffix();
    String stem =
        binary.endsWith(suffix) ? binary.substring(0, binary.length() - suffix.length()) : binary;
    return stem + "-" + GoBuilder.dirName(p) + suffix;
  }

  /** The file name {@code go build -o dir/} gives a main package: its last non-version element. */
  static String binaryName(String importPath) {
    String[] parts = importPath.split("/");
    String last = parts[parts.length - 1];
    if (parts.length > 1 && last.matches("v[2-9]\\d*|v[1-9]\\d+")) {
      return parts[parts.length - 2];
    }
    return last;
  }

  static String modulePath(Path checkout) throws RebuildException {
    Path gomod = checkout.resolve("go.mod");
    try {
      for (String line : Files.readAllLines(gomod, StandardCharsets.UTF_8)) {
        String t = line.trim();
        if (t.startsWith("module ") || t.startsWith("module\t")) {
          return t.substring("module".length()).trim().replace("\"", "");
        }
      }
    } catch (IOException e) {
      throw RebuildException.badInput(
          "source",
          "the tag has no go.mod at the root of the repository ("
              + gomod
              + ")\nRebuild works on Go modules; point rebuild.source at the module's repository.");
    }
    throw RebuildException.badInput("source", gomod + " has no module line");
  }

  static String projectFromModule(String module) {
    return binaryName(module);
  }

  private GitSource git(ReleaseContext ctx) {
    return new GitSource(ctx.request().source(), runner, environment);
  }

  private ExecResult exec(List<String> cmd, Path dir, Map<String, String> env)
      throws RebuildException {
    try {
      return runner.run(cmd, dir, env, Duration.ofMinutes(30));
    } catch (IOException e) {
      throw RebuildException.tool("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
  }

  private interface Step {
    void run(ReleaseContext ctx) throws RebuildException;
  }

  private static Stage stage(String name, Step step) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void run(ReleaseContext context) throws RebuildException {
        step.run(context);
      }
    };
  }
}
