package dev.rebuild.core.pipeline;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.build.GoBuilder;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One release built on several machines: each builds some targets into a {@link Part}, one merges
 * them. The merge refuses parts that disagree (commit, Go, recipe, and without {@code -trimpath}
 * the build paths a binary embeds), overlap or leave a target out, and otherwise commits a tag
 * directory byte for byte the one a single machine would have.
 */
final class Parts {

  /** Under the output root: {@code parts/<tag>/<targets>/}. */
  static final String PARTS = "parts";

  private Parts() {}

  /**
   * Parts need one recipe every machine agrees on before anything is built; a recipe read from the
   * original release is not written down for them yet.
   */
  private static void noInference(RebuildRequest request) throws RebuildException {
    if (request.inference() != null) {
      throw RebuildException.badInput(
          "targets",
          "parts and merges need the recipe in the POM; it was to be read from the original"
              + " release\nRun mvn rebuild:plan -Drebuild.writeRecipe=true with the same"
              + " rebuild.original, paste the <configuration> it prints into the POM, and build"
              + " the parts from that.");
    }
  }

  /** The part's directory name: its targets, as {@code linux-amd64+linux-arm64}. */
  static String label(List<Platform> targets) {
    return String.join("+", targets.stream().map(GoBuilder::dirName).toList());
  }

  static Path build(ReleasePipeline pipeline, RebuildRequest request, List<Platform> targets)
      throws RebuildException {
    noInference(request);
    Recipe recipe = request.recipe();
    if (targets.isEmpty()) {
      throw RebuildException.badInput(
          "targets", "a part needs its targets: -Drebuild.targets=linux/amd64,linux/arm64");
    }
    List<Platform> outside = targets.stream().filter(t -> !recipe.targets().contains(t)).toList();
    if (!outside.isEmpty()) {
      throw RebuildException.badInput(
          "targets",
          "the part's targets "
              + outside
              + " are not targets of the recipe "
              + recipe.targets()
              + "\nA part builds some of the recipe's <targets>; -Drebuild.targets names which.");
    }
    List<Platform> ordered = recipe.targets().stream().filter(targets::contains).toList();
    TagDirectory dir = pipeline.tagDirectoryOf(request);
    Path partDir =
        request.outputRoot().resolve(PARTS).resolve(request.tag()).resolve(label(ordered));
    Path tmp = partDir.resolveSibling("." + partDir.getFileName() + ".tmp");
    try (TagLock lock = pipeline.lock(dir)) {
      dir.recover();
      FileTrees.deleteTree(tmp);
      Files.createDirectories(tmp);
      ReleasePipeline.PartBuild built =
          pipeline.timed(
              "build", () -> pipeline.buildPart(dir, request, ordered, tmp.resolve("dist")));
      SortedMap<String, String> files = new TreeMap<>();
      for (TargetBuild b : built.builds()) {
        Path to =
            Files.createDirectories(tmp.resolve("bin").resolve(GoBuilder.dirName(b.platform())));
        for (Path bin : b.binaries()) {
          Files.copy(bin, to.resolve(bin.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (Stream<Path> all = Files.walk(tmp)) {
        for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
          files.put(tmp.relativize(f).toString().replace('\\', '/'), Digest.of(f).hex());
        }
      }
      ReleaseManifest h = built.header();
      Part part =
          new Part(
              Part.SCHEMA,
              h.tag(),
              h.commit(),
              h.commitTime(),
              h.source(),
              h.module(),
              h.project(),
              h.go(),
              h.recipe(),
              recipeSha256(h.recipe()),
              ordered.stream().map(Platform::toString).toList(),
              built.paths(),
              h.artifacts(),
              files);
      Files.write(tmp.resolve(Part.FILE), part.toJson());
      FileTrees.deleteTree(partDir);
      Files.move(tmp, partDir, StandardCopyOption.ATOMIC_MOVE);
      pipeline
          .listener()
          .info(
              "part "
                  + partDir.getFileName()
                  + " of "
                  + h.tag()
                  + ": "
                  + h.artifacts().size()
                  + " artifacts in "
                  + partDir);
      return partDir;
    } catch (IOException e) {
      throw RebuildException.tool("cannot write the part " + partDir + ": " + e.getMessage(), e);
    }
  }

  static String recipeSha256(ReleaseManifest.RecipeRecord recipe) throws IOException {
    return Digest.of(ReleaseManifest.mapper().writeValueAsBytes(recipe)).hex();
  }

  /** Every part directory in {@code paths}: a part itself, or a directory of parts. */
  static List<Path> expand(List<Path> paths) throws RebuildException {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isRegularFile(p.resolve(Part.FILE)) || !Files.isDirectory(p)) {
        out.add(p);
        continue;
      }
      try (Stream<Path> s = Files.list(p)) {
        List<Path> found =
            s.filter(d -> Files.isRegularFile(d.resolve(Part.FILE))).sorted().toList();
        out.addAll(found.isEmpty() ? List.of(p) : found);
      } catch (IOException e) {
        throw RebuildException.badInput("parts", "cannot list " + p + ": " + e.getMessage());
      }
    }
    return out;
  }

  static RebuildResult merge(
      ReleasePipeline pipeline, List<Path> given, RebuildRequest request, ReleaseOptions options)
      throws RebuildException {
    long start = System.nanoTime();
    List<Path> dirs = expand(given);
    if (dirs.isEmpty()) {
      throw RebuildException.badInput("parts", "no parts given: -Drebuild.parts=DIR,DIR,...");
    }
    Map<Path, Part> parts = new LinkedHashMap<>();
    for (Path d : dirs) {
      Part p;
      try {
        p = Part.read(d);
      } catch (IOException e) {
        throw RebuildException.badInput("parts", e.getMessage());
      }
      checkFiles(d, p);
      parts.put(d, p);
    }
    noInference(request);
    agree(parts, request.recipe());
    Part first = parts.values().iterator().next();
    if (!first.tag().equals(request.tag())) {
      throw RebuildException.badInput(
          "parts",
          "the parts are of tag " + first.tag() + ", the merge was asked for " + request.tag());
    }
    cover(parts, request.recipe());
    sameGo(first, request.go());
    TagDirectory dir = pipeline.tagDirectoryOf(request);
    try (TagLock lock = pipeline.lock(dir)) {
      dir.recover();
      Path staging = dir.newStaging();
      Path dist = Files.createDirectories(staging.resolve(TagDirectory.DIST));
      Path bin = dir.work().resolve("bin");
      FileTrees.deleteTree(bin);
      List<ReleaseManifest.Artifact> artifacts = new ArrayList<>();
      Map<Platform, TargetBuild> builds = new LinkedHashMap<>();
      for (Map.Entry<Path, Part> e : parts.entrySet()) {
        Part p = e.getValue();
        for (ReleaseManifest.Artifact a : p.artifacts()) {
          Files.copy(
              e.getKey().resolve(TagDirectory.DIST).resolve(a.name()), dist.resolve(a.name()));
          artifacts.add(a);
        }
        // Only the images need the bare binaries; verification reads the packed artifacts.
        for (String t : options.images().isEmpty() ? List.<String>of() : p.targets()) {
          Platform platform = Platform.parse(t);
          String d = GoBuilder.dirName(platform);
          Path to = Files.createDirectories(bin.resolve(d));
          List<Path> binaries = new ArrayList<>();
          for (String f : p.files().keySet()) {
            if (f.startsWith("bin/" + d + "/")) {
              Path copy = to.resolve(f.substring(("bin/" + d + "/").length()));
              Files.copy(e.getKey().resolve(f), copy);
              binaries.add(copy);
            }
          }
          builds.put(platform, new TargetBuild(platform, to, binaries, Duration.ZERO));
        }
      }
      artifacts.sort(Comparator.comparing(ReleaseManifest.Artifact::name));
      List<TargetBuild> ordered =
          options.images().isEmpty()
              ? List.of()
              : request.recipe().targets().stream().map(builds::get).toList();
      // The merge's recipe is the parts' (checked above), so the header is a one-machine run's.
      ReleaseManifest header =
          ReleasePipeline.header(
              request.recipe(),
              new ReleaseNames(
                  first.project(), first.tag(), GoVersion.parse(first.go().version()).number()),
              first.module(),
              first.commit(),
              Instant.parse(first.commitTime()),
              first.source(),
              first.go(),
              artifacts);
      pipeline.listener().phaseDone("merge", Duration.ofNanos(System.nanoTime() - start));
      return pipeline.mergeCommitPublish(dir, staging, request, header, ordered, options);
    } catch (IOException e) {
      throw RebuildException.tool("cannot merge the parts: " + e.getMessage(), e);
    }
  }

  /** Every file the part lists is there with its checksum, and nothing escapes the part. */
  static void checkFiles(Path dir, Part p) throws RebuildException {
    for (Map.Entry<String, String> f : p.files().entrySet()) {
      Path file = dir.resolve(f.getKey()).normalize();
      if (!file.startsWith(dir.normalize()) || f.getKey().contains("..")) {
        throw RebuildException.badInput(
            "parts", "part " + dir + " lists the file '" + f.getKey() + "' outside itself");
      }
      String actual;
      try {
        actual = Digest.of(file).hex();
      } catch (IOException e) {
        throw RebuildException.badInput(
            "parts",
            "part "
                + dir
                + ": "
                + f.getKey()
                + " is missing or unreadable ("
                + e.getMessage()
                + ")"
                + "\nCopy the whole part directory (Jenkins: stash/unstash it whole).");
      }
      if (!actual.equals(f.getValue())) {
        throw RebuildException.badInput(
            "parts",
            "part "
                + dir
                + ": "
                + f.getKey()
                + " has sha256 "
                + actual
                + ", "
                + Part.FILE
                + " says "
                + f.getValue()
                + "\nThe part was changed after it was built; build it again.");
      }
    }
    for (ReleaseManifest.Artifact a : p.artifacts()) {
      if (!a.sha256().equals(p.files().get(TagDirectory.DIST + "/" + a.name()))) {
        throw RebuildException.badInput(
            "parts", "part " + dir + ": the artifact " + a.name() + " is not among its files");
      }
    }
  }

  /** The parts agree with the first one, and with the merge's own recipe. */
  static void agree(Map<Path, Part> parts, Recipe recipe) throws RebuildException {
    Map.Entry<Path, Part> first = parts.entrySet().iterator().next();
    Part a = first.getValue();
    String mergeRecipe;
    try {
      mergeRecipe = recipeSha256(ReleasePipeline.recipeRecord(recipe));
    } catch (IOException e) {
      throw RebuildException.tool("cannot hash the recipe: " + e.getMessage(), e);
    }
    for (Map.Entry<Path, Part> e : parts.entrySet()) {
      Part b = e.getValue();
      if (!mergeRecipe.equals(b.recipeSha256())) {
        throw RebuildException.badInput(
            "parts",
            "part "
                + e.getKey()
                + " was built with another recipe than this merge's configuration (field recipe:"
                + " sha256 "
                + b.recipeSha256()
                + ", the merge's "
                + mergeRecipe
                + ")\nRun the merge with the same <configuration> and -Drebuild.* values as the"
                + " parts (but rebuild.targets and rebuild.part).");
      }
      if (b == a) {
        continue;
      }
      String where = "part " + e.getKey() + " disagrees with part " + first.getKey() + " on ";
      Map<String, String[]> fields = new LinkedHashMap<>();
      fields.put("tag", new String[] {a.tag(), b.tag()});
      fields.put("commit", new String[] {a.commit(), b.commit()});
      fields.put("commitTime", new String[] {a.commitTime(), b.commitTime()});
      fields.put("source", new String[] {a.source(), b.source()});
      fields.put("module", new String[] {a.module(), b.module()});
      fields.put("project", new String[] {a.project(), b.project()});
      fields.put("go.version", new String[] {a.go().version(), b.go().version()});
      fields.put("go.archiveSha256", new String[] {a.go().archiveSha256(), b.go().archiveSha256()});
      fields.put("go.sourceUrl", new String[] {a.go().sourceUrl(), b.go().sourceUrl()});
      same(
          fields,
          where,
          "%s vs %s",
          "\nThe parts of one release must come from the same tag, Go toolchain and recipe; build"
              + " part "
              + e.getKey().getFileName()
              + " again.");
      if (!recipe.pathIndependent()) {
        Map<String, String[]> paths = new LinkedHashMap<>();
        paths.put("paths.checkout", new String[] {a.paths().checkout(), b.paths().checkout()});
        paths.put("paths.goroot", new String[] {a.paths().goroot(), b.paths().goroot()});
        paths.put(
            "paths.gomodcache", new String[] {a.paths().gomodcache(), b.paths().gomodcache()});
        same(
            paths,
            where,
            "built in %s, the other in %s",
            "\nWithout -trimpath a Go binary embeds the directory it was built in, its GOROOT and"
                + " its module cache, so parts built in different places cannot make the bytes of"
                + " one machine. Build every part with the same workspace path,"
                + " rebuild.toolchainCache and GOMODCACHE (Jenkins: customWorkspace), or add"
                + " -trimpath to the recipe if the original had it.");
      }
    }
  }

  /** Fails on the first field whose two values (the first part's, this part's) differ. */
  private static void same(Map<String, String[]> fields, String where, String values, String fix)
      throws RebuildException {
    for (Map.Entry<String, String[]> f : fields.entrySet()) {
      String[] v = f.getValue();
      if (!Objects.equals(v[0], v[1])) {
        throw RebuildException.badInput(
            "parts", where + f.getKey() + ": " + String.format(values, v[1], v[0]) + fix);
      }
    }
  }

  /** The Go the merge was asked for is the parts' Go: an exact version, or its release line. */
  static void sameGo(Part part, String requested) throws RebuildException {
    GoVersion asked = GoVersion.parseOrNull(requested);
    GoVersion built = GoVersion.parseOrNull(part.go().version());
    if (asked == null || built == null) {
      return; // "latest" or a version this Go cannot parse: the parts' own Go decides
    }
    boolean same =
        asked.isExact()
            ? asked.equals(built)
            : asked.major() == built.major() && asked.minor() == built.minor();
    if (!same) {
      throw RebuildException.badInput(
          "go",
          "the parts were built with "
              + part.go().version()
              + ", the merge was asked for -Dgo="
              + requested
              + "\nPass the parts' Go to the merge, or build the parts again with -Dgo="
              + requested
              + ".");
    }
  }

  /** Every target of the recipe is in exactly one part. */
  static void cover(Map<Path, Part> parts, Recipe recipe) throws RebuildException {
    Map<String, Path> owner = new LinkedHashMap<>();
    for (Map.Entry<Path, Part> e : parts.entrySet()) {
      for (String t : e.getValue().targets()) {
        Path other = owner.putIfAbsent(t, e.getKey());
        if (other != null) {
          throw RebuildException.badInput(
              "parts",
              "the target "
                  + t
                  + " is in two parts: "
                  + other
                  + " and "
                  + e.getKey()
                  + "\nGive each target to one part only.");
        }
      }
    }
    List<String> missing =
        recipe.targets().stream()
            .map(Platform::toString)
            .filter(t -> !owner.containsKey(t))
            .toList();
    if (!missing.isEmpty()) {
      throw RebuildException.badInput(
          "parts",
          "no part builds "
              + String.join(", ", missing)
              + " (the parts have "
              + String.join(", ", owner.keySet())
              + ")\nBuild the missing targets as another part, or pass every part to the merge.");
    }
  }
}
