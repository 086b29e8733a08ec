package dev.rebuild.core.check;

import dev.rebuild.core.vuln.Finding;
import java.util.List;
import java.util.Objects;

/**
 * What {@code rebuild:check} found for one release.
 *
 * @param name the release's name
 * @param tag the release tag
 * @param status the verdict
 * @param reason why, in one sentence a person can act on
 * @param publishedGo the Go of the newest published build ({@code 1.21.13}); null when none was
 *     readable
 * @param platforms the platforms of that build, sorted ({@code linux/amd64})
 * @param builds every published build found, oldest Go first
 * @param rebuildFixable standard-library findings of the newest build that a newer Go fixes
 * @param rebuildUnfixable standard-library findings no Go release fixes yet
 * @param needsProjectRelease findings in module dependencies: only a new project release with the
 *     fixed module version removes them, never a rebuild
 * @param chosenGo the Go to rebuild with ({@code 1.25.9}); null when no rebuild is due
 * @param label the rebuild's label; null when no rebuild is due
 * @param command the command that makes the rebuild; null when no rebuild is due
 */
public record CheckResult(
    String name,
    String tag,
    Status status,
    String reason,
    String publishedGo,
    List<String> platforms,
    List<PublishedBuild> builds,
    List<Finding> rebuildFixable,
    List<Finding> rebuildUnfixable,
    List<Finding> needsProjectRelease,
    String chosenGo,
    String label,
    String command) {

  /** The verdict on one release. */
  public enum Status {
    /** A Go release fixes standard-library findings of the published build: rebuild. */
    DUE,
    /** No finding a rebuild could fix. */
    NOT_DUE,
    /** Only module dependencies are vulnerable: a new project release is needed, not a rebuild. */
    NEEDS_PROJECT_RELEASE,
    /** A rebuild would help, but no Go the policy allows fixes every finding. */
    NO_GO_FIXES,
    /** Nothing published could be read as a Go binary. */
    NO_GO_BINARIES,
    /** The published binaries' Go is no Go release ({@code devel ...}): nothing can be judged. */
    UNKNOWN_GO;

    /** The check could not decide: the release needs a person. */
    public boolean problem() {
      return this == NO_GO_FIXES || this == NO_GO_BINARIES || this == UNKNOWN_GO;
    }
  }

  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    platforms = List.copyOf(platforms);
    builds = List.copyOf(builds);
    rebuildFixable = List.copyOf(rebuildFixable);
    rebuildUnfixable = List.copyOf(rebuildUnfixable);
    needsProjectRelease = List.copyOf(needsProjectRelease);
  }

  /** The same findings with another verdict. */
  CheckResult decided(Status s, String why, String go, String theLabel, String theCommand) {
    return new CheckResult(
        name,
        tag,
        s,
        why,
        publishedGo,
        platforms,
        builds,
        rebuildFixable,
        rebuildUnfixable,
        needsProjectRelease,
        go,
        theLabel,
        theCommand);
  }

  public boolean due() {
    return status == Status.DUE;
  }

  /**
   * One published build of the release: the binaries of one Go version.
   *
   * @param goVersion as the binaries embed it ({@code go1.21.13})
   * @param rebuild whether it is one of ours (a newer Go than the oldest build, or found by label)
   * @param labels the rebuild labels it was found under (image tags, manifests), sorted
   * @param binaries where each binary is ({@code dist/x.tar.gz!x/bin/x}, {@code
   *     image@platform:path})
   */
  public record PublishedBuild(
      String goVersion, boolean rebuild, List<String> labels, List<String> binaries) {
    public PublishedBuild {
      labels = List.copyOf(labels);
      binaries = List.copyOf(binaries);
    }
  }
}
