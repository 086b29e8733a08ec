package dev.rebuild.core.pipeline;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.io.FileTrees;
import dev.rebuild.core.model.Digest;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.toolchain.InstalledToolchains;
import dev.rebuild.core.toolchain.ToolchainSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Run by bench/merge.sh, not a test: the time {@link ReleasePipeline#merge} takes to join the parts
 * of an NSQ-size release (9 commands x 6 platforms) against re-verifying the sha256 of every part
 * file alone, the floor of any merge that trusts no part. Builds the parts once (real {@code go
 * build}) and reuses them on later runs.
 *
 * <p>Arguments: the git repository (tag {@code v1.0.0}), the work directory, the GOROOT to build
 * with, the number of timed runs.
 */
public final class MergeBench {

  static final String TAG = "v1.0.0";
  static final List<List<Platform>> PARTS =
      List.of(
          Platform.parseList("linux/amd64,linux/arm64"),
          Platform.parseList("darwin/amd64,darwin/arm64"),
          Platform.parseList("freebsd/amd64,windows/amd64"));

  private MergeBench() {}

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path work = Path.of(args[1]);
    Path goroot = Path.of(args[2]);
    int runs = Integer.parseInt(args[3]);
    String go = Files.readAllLines(goroot.resolve("VERSION")).get(0);
    Recipe recipe =
        new Recipe(
            null,
            PARTS.stream().flatMap(List::stream).toList(),
            List.of("./apps/..."),
            NameTemplate.parse(
                "-s -w -X main.version={version}", NameTemplate.RELEASE_PLACEHOLDERS),
            List.of(),
            false,
            List.of(),
            new TreeMap<>(Map.of("CGO_ENABLED", "0")),
            ArchiveSpec.parse(
                "{project}-{version}.{os}-{arch}.go{goVersion}", "tar.gz", Map.of(), "{name}/bin"));
    Path outputRoot = work.resolve("out");
    Path parts = outputRoot.resolve(Parts.PARTS).resolve(TAG);
    Path merged = work.resolve("merged");

    if (partDirs(parts).size() != PARTS.size()) {
      // Built once: the parts' part.json pins the commit, Go and recipe the merge checks.
      for (List<Platform> targets : PARTS) {
        long t = System.nanoTime();
        Path p =
            pipeline(goroot, new Progress())
                .part(new RebuildRequest(repo.toString(), TAG, go, recipe, outputRoot, 2), targets);
        System.err.printf("built part %s in %.1f s%n", p.getFileName(), seconds(t));
      }
    }
    List<Path> dirs = partDirs(parts);
    long files = 0;
    long bytes = 0;
    for (Path d : dirs) {
      for (String f : Part.read(d).files().keySet()) {
        files++;
        bytes += Files.size(d.resolve(f));
      }
    }
    RebuildRequest request = new RebuildRequest(repo.toString(), TAG, go, recipe, merged, 2);
    Trace trace = new Trace(System.getenv("BENCH_TRACE") != null);
    ReleasePipeline pipeline = pipeline(goroot, trace);
    ReleaseOptions plain = new ReleaseOptions(null, null, null, true);

    List<Long> mergeNanos = new ArrayList<>();
    List<Long> checksumNanos = new ArrayList<>();
    // One warm-up round each (JIT, page cache), then alternate so drift hits both alike.
    for (int i = -1; i < runs; i++) {
      FileTrees.deleteTree(merged);
      long t0 = System.nanoTime();
      trace.start = t0;
      pipeline.merge(dirs, request, plain);
      long t1 = System.nanoTime();
      verifyChecksums(dirs);
      long t2 = System.nanoTime();
      if (i >= 0) {
        mergeNanos.add(t1 - t0);
        checksumNanos.add(t2 - t1);
      }
    }
    long binaries = 0;
    for (Path d : dirs) {
      binaries += Part.read(d).files().keySet().stream().filter(f -> f.startsWith("bin/")).count();
    }
    double m = median(mergeNanos) / 1e9;
    double c = median(checksumNanos) / 1e9;
    System.out.printf(
        "%s; %d parts, %d binaries, %d files, %.0f MiB; %d runs (medians)%n",
        go, dirs.size(), binaries, files, bytes / 1048576.0, runs);
    System.out.printf("merge (ReleasePipeline.merge)        %6.3f s  %s%n", m, ms(mergeNanos));
    System.out.printf("sha256 of every part file alone      %6.3f s  %s%n", c, ms(checksumNanos));
    System.out.printf(
        "merge adds %.3f s beyond re-verifying checksums; budget 1 s%n", Math.max(0, m - c));
    System.out.printf("ratio merge/checksums: %.2f%n", m / c);
  }

  /** What a merge must do at least: the sha256 of every file each part.json lists. */
  static void verifyChecksums(List<Path> dirs) throws IOException {
    for (Path d : dirs) {
      for (Map.Entry<String, String> f : Part.read(d).files().entrySet()) {
        if (!Digest.of(d.resolve(f.getKey())).hex().equals(f.getValue())) {
          throw new IllegalStateException(d + ": " + f.getKey() + " changed");
        }
      }
    }
  }

  static List<Path> partDirs(Path parts) throws IOException {
    if (!Files.isDirectory(parts)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(parts)) {
      return s.filter(d -> Files.isRegularFile(d.resolve(Part.FILE))).sorted().toList();
    }
  }

  static ReleasePipeline pipeline(Path goroot, ReleaseListener listener) {
    CommonsExecProcessRunner runner = new CommonsExecProcessRunner();
    return new ReleasePipeline(
        runner,
        new InstalledToolchains(ToolchainSettings.builder().goroot(goroot).build(), runner),
        new BuildInfoInspector(),
        System.getenv(),
        listener);
  }

  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  static double median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  static String ms(List<Long> xs) {
    return xs.stream().map(x -> Long.toString(x / 1_000_000)).toList() + " ms";
  }

  private static class Quiet implements ReleaseListener {
    @Override
    public void stage(String name, String detail) {}

    @Override
    public void info(String message) {}

    @Override
    public void phaseDone(String phase, Duration took) {}

    @Override
    public void targetStarted(Platform platform) {}

    @Override
    public void targetDone(Platform platform, int binaries, Duration took) {}

    @Override
    public void targetFailed(Platform platform, String goOutputTail) {}
  }

  /** With BENCH_TRACE set, the merge's steps with the milliseconds since it began. */
  private static final class Trace extends Quiet {
    final boolean on;
    long start;

    Trace(boolean on) {
      this.on = on;
    }

    @Override
    public void info(String message) {
      debug(message);
    }

    @Override
    public void debug(String message) {
      if (on) {
        System.err.printf("%6d ms %s%n", (System.nanoTime() - start) / 1_000_000, message);
      }
    }

    @Override
    public void phaseDone(String phase, Duration took) {
      debug(phase + " phase done");
    }
  }

  private static final class Progress extends Quiet {
    @Override
    public void targetDone(Platform platform, int binaries, Duration took) {
      System.err.printf("  %s: %d binaries in %.1f s%n", platform, binaries, took.toMillis() / 1e3);
    }

    @Override
    public void targetFailed(Platform platform, String goOutputTail) {
      System.err.println("  " + platform + " failed:\n" + goOutputTail);
    }
  }
}
