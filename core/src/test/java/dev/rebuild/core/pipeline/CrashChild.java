package dev.rebuild.core.pipeline;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.publish.PublishedRelease;
import dev.rebuild.core.publish.github.GitHubDestination;
import dev.rebuild.core.publish.github.GitHubSettings;
import dev.rebuild.core.publish.github.GitHubSettings.Mode;
import dev.rebuild.core.publish.http.HttpDestination;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.BuildInfoInspector;
import dev.rebuild.core.release.RebuildRequest;
import dev.rebuild.core.release.ReleaseListener;
import dev.rebuild.core.stage.ImageStage;
import dev.rebuild.core.testing.ChildKill;
import dev.rebuild.core.testing.FileJournal;
import dev.rebuild.core.testing.GoFixtures;
import dev.rebuild.core.testing.PublishFixtures;
import dev.rebuild.core.toolchain.InstalledToolchains;
import dev.rebuild.core.toolchain.ToolchainSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A rebuild in a JVM of its own, for {@link CrashRecoveryTest} to kill with {@code kill -9}: it
 * prints every event of the run, one a line, and at the first line that matches a regular
 * expression writes a marker file and blocks for good, so that the kill lands at exactly that
 * point.
 *
 * <pre>
 * release GOROOT REPO TAG GO LDFLAGS TARGETS OUTPUT_ROOT REGEX MARKER
 * publish TAG_DIRECTORY INSECURE_REGISTRY REGEX MARKER
 * publish-github TAG_DIRECTORY API_URL REPOSITORY MODE TOKEN REGEX MARKER
 * publish-http RELEASE_DIR VARIANT URL USER PASSWORD JOURNAL REGEX MARKER
 * </pre>
 *
 * {@code publish-http} publishes {@link PublishFixtures#release} to an {@link HttpDestination}.
 */
public final class CrashChild {

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    int n = args.length;
    Events events =
        new Events(
            line -> {
              System.out.println(line);
              System.out.flush();
            },
            Pattern.compile(args[n - 2]),
            Path.of(args[n - 1]));
    try {
      switch (args[0]) {
        case "release" ->
            pipeline(Path.of(args[1]), events)
                .release(
                    request(args[2], args[3], args[4], args[5], args[6], Path.of(args[7])),
                    ReleaseOptions.plain());
        case "publish" ->
            ReleasePipeline.publisher(events).publish(Path.of(args[1]), registries(args[2]));
        case "publish-github" ->
            ReleasePipeline.publisher(events)
                .publish(
                    Path.of(args[1]),
                    ImageStage.Registries.DEFAULT,
                    List.of(
                        new GitHubDestination(
                            new GitHubSettings(
                                args[3],
                                Mode.parse(args[4]),
                                URI.create(args[2]),
                                args[5],
                                null,
                                false))));
        case "publish-http" -> {
          PublishedRelease r = PublishFixtures.release(Path.of(args[1]), Integer.parseInt(args[2]));
          new HttpDestination(args[3], new HttpDestination.Credentials("dav", args[4], args[5]))
              .publish(r, new FileJournal(Path.of(args[6]), r.manifestSha256()), events);
        }
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } catch (Exception e) {
      e.printStackTrace(System.out);
      System.out.flush();
      System.exit(1);
    }
    System.out.println("child: finished without reaching the pause");
    System.out.flush();
    System.exit(2);
  }

  /**
   * The pipeline the child and the test's own runs share: Go from {@code goroot}, real processes.
   */
  static ReleasePipeline pipeline(Path goroot, ReleaseListener listener) {
    ToolchainSettings settings = ToolchainSettings.builder().goroot(goroot).build();
    return new ReleasePipeline(
        new CommonsExecProcessRunner(),
        new InstalledToolchains(settings, new CommonsExecProcessRunner()),
        new BuildInfoInspector(),
        System.getenv(),
        listener);
  }

  /**
   * Bare binaries (their names do not depend on the ldflags, so two recipes that differ only there
   * write the same file names with other bytes), built one target at a time; -trimpath, so that the
   * bytes do not depend on the output directory.
   */
  static RebuildRequest request(
      String repo, String tag, String go, String ldflags, String targets, Path outputRoot) {
    Recipe recipe =
        new Recipe(
            null,
            Platform.parseList(targets),
            List.of(),
            NameTemplate.parse(ldflags, NameTemplate.RELEASE_PLACEHOLDERS),
            List.of(),
            true,
            List.of(),
            new TreeMap<>(Map.of("CGO_ENABLED", "0")),
            null);
    return new RebuildRequest(repo, tag, go, recipe, outputRoot, 1);
  }

  /**
   * A git repository at {@code dir} holding a copy of {@code module}, one commit tagged {@code
   * tag}.
   */
  static Path tagged(Path module, Path dir, String tag) throws IOException {
    PartsMergeTest.copyTree(module, dir);
    GoFixtures.git(dir, "init", "-q", "-b", "main");
    GoFixtures.git(dir, "add", "-A");
    GoFixtures.git(dir, "commit", "-q", "-m", "app " + tag);
    GoFixtures.git(dir, "tag", tag);
    return dir;
  }

  /**
   * The linux/amd64 image of the OCI layout {@code original} (at {@code tag}) rebuilt as {@code
   * repository}, also tagged {@code tags}.
   */
  static ImageStage layoutImage(
      Path original,
      String tag,
      String repository,
      List<String> tags,
      ImageStage.Registries registries) {
    return new ImageStage(
        List.of(
            ImageStage.ImageTemplate.parse(
                "oci-layout:" + original + ":" + tag, repository, tags, null, null, "linux/amd64")),
        registries);
  }

  /** Plain HTTP to the test registry on 127.0.0.1, no credentials. */
  static ImageStage.Registries registries(String insecureRegistry) {
    return new ImageStage.Registries(Set.of(insecureRegistry), Set.of(), null);
  }

  /**
   * Every event as one line to {@code sink}; with a {@code pause}, the first matching line writes
   * {@code marker} and blocks the calling thread, and (the methods being synchronized) every other
   * thread that reports anything after it.
   */
  static final class Events implements ReleaseListener {
    private final Consumer<String> sink;
    private final Pattern pause;
    private final Path marker;

    Events(Consumer<String> sink, Pattern pause, Path marker) {
      this.sink = sink;
      this.pause = pause;
      this.marker = marker;
    }

    /** No pause: for the runs the test makes in its own JVM. */
    Events(Consumer<String> sink) {
      this(sink, null, null);
    }

    private synchronized void line(String line) {
      sink.accept(line);
      if (pause == null || !pause.matcher(line).find()) {
        return;
      }
      ChildKill.pause(marker, line);
    }

    @Override
    public void stage(String name, String detail) {
      line("stage " + name);
    }

    @Override
    public void info(String message) {
      line(message);
    }

    @Override
    public void debug(String message) {
      line(message);
    }

    @Override
    public void targetStarted(Platform platform) {
      line("started " + platform);
    }

    @Override
    public void targetDone(Platform platform, int binaries, Duration took) {
      line("done " + platform + " " + binaries);
    }

    @Override
    public void targetFailed(Platform platform, String goOutputTail) {
      line("failed " + platform + " " + goOutputTail);
    }
  }
}
