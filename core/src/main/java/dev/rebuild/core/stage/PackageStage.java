package dev.rebuild.core.stage;

import static dev.rebuild.core.io.FileTrees.deleteTree;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.archive.ArchiveWriter;
import dev.rebuild.core.build.GoBuilder;
import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveFormat;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BinaryInspector;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.ReleaseNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Packs the built binaries into the release's artifacts in {@code dist/}: one archive per target as
 * the recipe names it, or the bare binaries. Archives take their times from the tag's commit.
 */
public final class PackageStage {

  private final BinaryInspector inspector;

  public PackageStage(BinaryInspector inspector) {
    this.inspector = inspector;
  }

  /** Writes the artifacts into {@code dist} (emptied first); returns them sorted by name. */
  public List<ReleaseManifest.Artifact> pack(
      List<TargetBuild> builds, Recipe recipe, ReleaseNames names, Instant commitTime, Path dist)
      throws RebuildException {
    return pack(builds, recipe, names, commitTime, dist, Map.of());
  }

  /**
   * @param extraMembers per target, files its archive holds besides the binaries (the original's
   *     LICENSE, README, ...: names, contents and modes as the original has them)
   */
  public List<ReleaseManifest.Artifact> pack(
      List<TargetBuild> builds,
      Recipe recipe,
      ReleaseNames names,
      Instant commitTime,
      Path dist,
      Map<Platform, List<ArchiveWriter.Entry>> extraMembers)
      throws RebuildException {
    List<ReleaseManifest.Artifact> artifacts = new ArrayList<>();
    try {
      deleteTree(dist);
      Files.createDirectories(dist);
      for (TargetBuild b : builds) {
        Platform p = b.platform();
        if (recipe.archive() == null) {
          for (Path bin : b.binaries()) {
            String name = bareName(shippedName(recipe, bin, p), p);
            Files.copy(bin, dist.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            ReleaseManifest.Binary info = describe(bin, name);
            artifacts.add(
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
        String base = archiveName(spec, names, p);
        Map<String, String> values = names.placeholders(p);
        values.put("name", base);
        String binDir = spec.binDir().expand(values);
        String prefix = binDir.isEmpty() ? "" : (binDir.endsWith("/") ? binDir : binDir + "/");
        List<ArchiveWriter.Entry> entries =
            new ArrayList<>(extraMembers.getOrDefault(p, List.of()));
        List<ReleaseManifest.Binary> binaries = new ArrayList<>();
        for (Path bin : b.binaries()) {
          String entry = prefix + shippedName(recipe, bin, p);
          entries.add(new ArchiveWriter.Entry(entry, bin, 0755));
          binaries.add(describe(bin, entry));
        }
        ArchiveFormat format = spec.formatFor(p);
        String fileName = base + "." + format.extension();
        Path out = dist.resolve(fileName);
        ArchiveWriter.write(format, out, entries, commitTime);
        artifacts.add(
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
    artifacts.sort(Comparator.comparing(ReleaseManifest.Artifact::name));
    for (int i = 1; i < artifacts.size(); i++) {
      if (artifacts.get(i).name().equals(artifacts.get(i - 1).name())) {
        throw RebuildException.badInput(
            "archive.name",
            "two targets produce the same artifact name "
                + artifacts.get(i).name()
                + "\nUse {os} and {arch} in <archive><name>.");
      }
    }
    return artifacts;
  }

  /** The name {@code bin} ships under: its own, or the recipe's for its main package. */
  private String shippedName(Recipe recipe, Path bin, Platform p) throws IOException {
    String built = bin.getFileName().toString();
    if (recipe.binaryNames().isEmpty()) {
      return built;
    }
    Optional<BinaryInspector.BinaryFacts> facts = inspector.inspect(bin);
    return facts.isEmpty() ? built : recipe.binaryFileName(facts.get().mainPath(), built, p);
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

  /** The archive's name without extension, from the recipe's template. */
  public static String archiveName(ArchiveSpec spec, ReleaseNames names, Platform p) {
    return spec.name().expand(names.placeholders(p));
  }

  /**
   * A bare binary's name in {@code dist/}: {@code nsqd-linux-amd64}, {@code
   * nsqd-windows-amd64.exe}.
   */
  public static String bareName(String binary, Platform p) {
    String suffix = p.executableSuffix();
    String stem =
        binary.endsWith(suffix) ? binary.substring(0, binary.length() - suffix.length()) : binary;
    return stem + "-" + GoBuilder.dirName(p) + suffix;
  }

  /**
   * The binary's own name back from its {@link #bareName}: {@code nsqd-linux-amd64} -> {@code
   * nsqd}.
   */
  public static String binaryOfBareName(String bare, Platform p) {
    String suffix = p.executableSuffix();
    String tail = "-" + GoBuilder.dirName(p) + suffix;
    return bare.endsWith(tail) ? bare.substring(0, bare.length() - tail.length()) + suffix : bare;
  }

  /** The file name {@code go build -o dir/} gives a main package: its last non-version element. */
  public static String binaryName(String importPath) {
    String[] parts = importPath.split("/");
    String last = parts[parts.length - 1];
    if (parts.length > 1 && last.matches("v[2-9]\\d*|v[1-9]\\d+")) {
      return parts[parts.length - 2];
    }
    return last;
  }
}
