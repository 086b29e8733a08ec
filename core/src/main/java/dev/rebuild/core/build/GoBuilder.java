package dev.rebuild.core.build;

import static dev.rebuild.core.io.FileTrees.deleteTree;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Runs {@code go build} for every target of a recipe, targets in parallel. One {@code go build} per
 * target builds all its main packages at once, so the packages share one compile of the standard
 * library and dependencies; all targets share the user's GOCACHE and GOMODCACHE.
 */
public final class GoBuilder {

  private static final Duration TIMEOUT = Duration.ofMinutes(60);

  /**
   * Variables that would silently change what is built. They are removed from the inherited
   * environment: the recipe and the platform are the whole truth.
   */
  private static final Set<String> CONTROLLED =
      Set.of(
          "GOOS",
          "GOARCH",
          "GOARM",
          "GOAMD64",
          "GO386",
          "GOARM64",
          "GOFLAGS",
          "GOTOOLCHAIN",
          "GOROOT",
          "GOBIN",
          "CGO_ENABLED",
          "GOEXPERIMENT",
          "GOWORK");

  /** Keys a recipe's {@code env} must not set: the rebuild decides them. */
  public static final Set<String> RESERVED_ENV =
      Set.of("GOOS", "GOARCH", "GOARM", "GOAMD64", "GOTOOLCHAIN", "GOROOT", "GOFLAGS");

  /**
   * The {@code <env>} variables that change what {@code go build} makes, besides every {@code
   * CGO_*}: the only ones a manifest records. Others (tokens, proxies, {@code GOPRIVATE}) reach
   * {@code go build} but are not written anywhere.
   */
  public static final Set<String> BUILD_ENV =
      Set.of(
          "CC",
          "CXX",
          "AR",
          "PKG_CONFIG",
          "GOEXPERIMENT",
          "GODEBUG",
          "GOFIPS140",
          "GO386",
          "GOARM64",
          "GOMIPS",
          "GOMIPS64",
          "GOPPC64",
          "GORISCV64",
          "GOWASM");

  /** True for a variable the manifest records: one that changes the bytes go build makes. */
  public static boolean changesBuild(String name) {
    return name.startsWith("CGO_") || BUILD_ENV.contains(name);
  }

  private final ProcessRunner runner;
  private final Map<String, String> inherited;
  private final int parallelism;
  private final BuildListener listener;

  public GoBuilder(
      ProcessRunner runner,
      Map<String, String> environment,
      int parallelism,
      BuildListener listener) {
    this.runner = runner;
    this.inherited = environment;
    this.parallelism = Math.max(1, parallelism);
    this.listener = listener;
  }

  /** What one target's build produced. */
  public record TargetBuild(
      Platform platform, Path directory, List<Path> binaries, Duration took) {}

  /**
   * Builds every target of {@code recipe} from the module in {@code moduleDir} into {@code
   * workDir/<os>-<arch>/}. All targets run to their end; if any failed, the exception lists each.
   *
   * @param ldflags per-target {@code -ldflags} (placeholders already expanded)
   */
  public List<TargetBuild> build(
      Path goCommand, Path moduleDir, Recipe recipe, Map<Platform, String> ldflags, Path workDir)
      throws RebuildException {
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(parallelism, recipe.targets().size()));
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (Platform p : recipe.targets()) {
        Path dir = workDir.resolve(dirName(p));
        futures.add(
            pool.submit(() -> buildOne(goCommand, moduleDir, recipe, p, ldflags.get(p), dir)));
      }
      List<TargetBuild> done = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      for (Future<Outcome> f : futures) {
        Outcome o = f.get();
        if (o.failure() != null) {
          failures.add(o.failure());
        } else {
          done.add(o.build());
        }
      }
      if (!failures.isEmpty()) {
        throw new RebuildException(
            RebuildException.Kind.BUILD_FAILED,
            "targets",
            failures.size()
                + " of "
                + recipe.targets().size()
                + " targets failed to build; nothing was packaged or checksummed.\n"
                + String.join("\n", failures));
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RebuildException.tool("interrupted while building", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RebuildException re) {
        throw re;
      }
      throw RebuildException.tool("build failed: " + cause, cause);
    } finally {
      pool.shutdownNow();
    }
  }

  private record Outcome(TargetBuild build, String failure) {}

  private Outcome buildOne(
      Path goCommand, Path moduleDir, Recipe recipe, Platform platform, String ldflags, Path dir)
      throws IOException {
    listener.targetStarted(platform);
    long start = System.nanoTime();
    deleteTree(dir);
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(goCommand.toString());
    cmd.add("build");
    cmd.add("-buildvcs=true");
    cmd.add("-o");
    cmd.add(dir.toAbsolutePath() + "/");
    if (recipe.trimpath()) {
      cmd.add("-trimpath");
    }
    if (!recipe.buildTags().isEmpty()) {
      cmd.add("-tags");
      cmd.add(String.join(",", recipe.buildTags()));
    }
    if (ldflags != null && !ldflags.isBlank()) {
      cmd.add("-ldflags=" + ldflags);
    }
    cmd.addAll(recipe.buildFlags());
    cmd.addAll(recipe.packages().isEmpty() ? List.of("./...") : recipe.packages());
    ExecResult r = runner.run(cmd, moduleDir, environment(recipe, platform), TIMEOUT);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (!r.ok()) {
      String tail = r.tail(20);
      listener.targetFailed(platform, tail);
      return new Outcome(
          null, "--- " + platform + " (go build exit " + r.exitCode() + "):\n" + tail);
    }
    List<Path> binaries;
    try (Stream<Path> s = Files.list(dir)) {
      binaries = s.filter(Files::isRegularFile).sorted().toList();
    }
    if (binaries.isEmpty()) {
      String msg =
          "--- "
              + platform
              + ": go build produced no binary; the packages "
              + (recipe.packages().isEmpty() ? "./..." : String.join(" ", recipe.packages()))
              + " hold no main package. Set <packages> to the main packages.";
      listener.targetFailed(platform, msg);
      return new Outcome(null, msg);
    }
    listener.targetDone(platform, binaries.size(), took);
    return new Outcome(new TargetBuild(platform, dir, binaries, took), null);
  }

  /** The environment {@code go} runs with for one target. */
  public Map<String, String> environment(Recipe recipe, Platform platform) {
    Map<String, String> env = new HashMap<>(inherited);
    CONTROLLED.forEach(env::remove);
    env.putAll(recipe.envFor(platform));
    env.putAll(platform.environment());
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "");
    return env;
  }

  public static String dirName(Platform p) {
    return p.os() + "-" + p.archLabel();
  }
}
