package dev.rebuild.core.release;

import dev.rebuild.core.build.GoBuilder.TargetBuild;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.toolchain.Toolchain;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state one rebuild carries from stage to stage. Every file a stage writes lives under {@link
 * #tagDirectory()}, so a later stage (or another machine) can pick the work up from disk.
 */
public final class ReleaseContext {

  private final RebuildRequest request;
  private final Path tagDirectory;
  private final ReleaseListener listener;
  String commit;
  Instant commitTime;
  Toolchain toolchain;
  String module;
  String project;
  final List<TargetBuild> builds = new ArrayList<>();
  final List<ReleaseManifest.Artifact> artifacts = new ArrayList<>();
  private final List<ReleaseManifest.Image> images = new ArrayList<>();
  RebuildVerification.Verification verification;

  ReleaseContext(RebuildRequest request, Path tagDirectory, ReleaseListener listener) {
    this.request = request;
    this.tagDirectory = tagDirectory;
    this.listener = listener;
  }

  /** Where a stage reports its progress: the pipeline's listener. */
  public ReleaseListener listener() {
    return listener;
  }

  public RebuildRequest request() {
    return request;
  }

  /** {@code <outputRoot>/<tag>/}. */
  public Path tagDirectory() {
    return tagDirectory;
  }

  /** The private clean checkout of the tag. */
  public Path checkout() {
    return tagDirectory.resolve("src");
  }

  /** Intermediate files: per-target build output, staged artifacts. */
  public Path workDirectory() {
    return tagDirectory.resolve("work");
  }

  public String commit() {
    return commit;
  }

  public Instant commitTime() {
    return commitTime;
  }

  public Toolchain toolchain() {
    return toolchain;
  }

  public String module() {
    return module;
  }

  public String project() {
    return project;
  }

  public List<TargetBuild> builds() {
    return List.copyOf(builds);
  }

  public List<ReleaseManifest.Artifact> artifacts() {
    return List.copyOf(artifacts);
  }

  /** Images rebuilt so far; a stage that publishes images adds its results here. */
  public List<ReleaseManifest.Image> images() {
    return List.copyOf(images);
  }

  public void addImage(ReleaseManifest.Image image) {
    images.add(image);
  }

  /** The values of the release placeholders for one target. */
  public Map<String, String> placeholders(Platform platform) {
    Map<String, String> values = new HashMap<>();
    values.put("project", project);
    values.put("tag", request.tag());
    values.put(
        "version", request.tag().startsWith("v") ? request.tag().substring(1) : request.tag());
    values.put("goVersion", toolchain.version().number());
    values.put("os", platform.os());
    values.put("arch", platform.archLabel());
    return values;
  }
}
