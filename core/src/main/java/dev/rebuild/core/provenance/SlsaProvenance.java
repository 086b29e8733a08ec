package dev.rebuild.core.provenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rebuild.core.Redaction;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.provenance.InToto.ResourceDescriptor;
import dev.rebuild.core.release.ReleaseManifest;
import dev.rebuild.core.release.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * SLSA provenance v1 predicates for a security rebuild: what was rebuilt (tag, source, Go, recipe),
 * from which commit and toolchain, compared with which original artifacts, by which builder.
 *
 * <p>No wall-clock time: {@code runDetails.metadata} (its times and invocation id are optional in
 * SLSA v1) is left out, so the same rebuild gives the same bytes; the tag's commit time is in
 * {@code internalParameters.commitTime}.
 */
public final class SlsaProvenance {

  /** {@code predicateType} of SLSA provenance v1. */
  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";

  /**
   * {@code buildDefinition.buildType}: a Go release tag rebuilt with another Go toolchain, with the
   * parameters documented in the README ("Provenance").
   */
  public static final String BUILD_TYPE = "https://rebuild.dev/buildtypes/go-security-rebuild/v1";

  /** {@code runDetails.builder.id}. */
  public static final String BUILDER_ID = "https://rebuild.dev/builders/rebuild-maven-plugin";

  /** The names of the {@code resolvedDependencies} a verifier looks up. */
  public static final String SOURCE = "source";

  public static final String TOOLCHAIN = "toolchain";
  public static final String ORIGINAL_PREFIX = "original:";

  private SlsaProvenance() {}

  /** The predicate. */
  public record Predicate(BuildDefinition buildDefinition, RunDetails runDetails) {

    /** This predicate with one more resolved dependency. */
    public Predicate withDependency(ResourceDescriptor d) {
      List<ResourceDescriptor> deps = new ArrayList<>(buildDefinition.resolvedDependencies());
      deps.add(d);
      return new Predicate(
          new BuildDefinition(
              buildDefinition.buildType(),
              buildDefinition.externalParameters(),
              buildDefinition.internalParameters(),
              deps),
          runDetails);
    }
  }

  /** {@code buildDefinition}. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record BuildDefinition(
      String buildType,
      ExternalParameters externalParameters,
      InternalParameters internalParameters,
      List<ResourceDescriptor> resolvedDependencies) {}

  /**
   * What the user asked for.
   *
   * @param go the Go as requested ({@code 1.22}, {@code latest}); the one used is in {@code
   *     internalParameters.goVersion} and the toolchain dependency
   * @param target for an archive's provenance, its platform; null for the whole release
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ExternalParameters(
      String tag, String source, String go, ReleaseManifest.RecipeRecord recipe, String target) {}

  /**
   * How the rebuild ran, as far as it changes the bytes.
   *
   * @param goVersion the Go every binary was built with ({@code go1.22.12})
   * @param env the environment {@code go build} ran with that changes what it makes
   * @param commitTime the tag's commit time: the archives' entry times
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record InternalParameters(
      String goVersion, SortedMap<String, String> env, String commitTime, String module) {}

  /** {@code runDetails}; {@code metadata} is left out on purpose (see the class comment). */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record RunDetails(Builder builder, List<ResourceDescriptor> byproducts) {}

  /** {@code runDetails.builder}. */
  public record Builder(String id, SortedMap<String, String> version) {}

  /**
   * The predicate for a rebuild.
   *
   * @param artifact the name of the artifact it is about, or null for an image statement; only the
   *     original an artifact was compared with is a dependency of its provenance
   * @param target the platform of that artifact, or null
   * @param byproducts the verification reports, by digest
   */
  public static Predicate predicate(
      ReleaseManifest m,
      String requestedGo,
      String artifact,
      Platform target,
      String builderVersion,
      List<ResourceDescriptor> byproducts) {
    SortedMap<String, String> env = new TreeMap<>(m.recipe().env());
    env.put("GOTOOLCHAIN", "local");
    env.put("GOFLAGS", "");
    if (target != null) {
      env.putAll(target.environment());
    }
    List<ResourceDescriptor> deps = new ArrayList<>();
    deps.add(source(m));
    deps.add(toolchain(m.go()));
    Verification v = m.verification();
    if (v != null) {
      for (Verification.OriginalArtifact o : v.originals()) {
        if (artifact != null && !artifact.equals(o.rebuilt())) {
          continue;
        }
        ResourceDescriptor d =
            ResourceDescriptor.of(ORIGINAL_PREFIX + o.name(), "sha256", o.sha256());
        deps.add(o.uri() == null ? d : d.withUri(o.uri()));
      }
    }
    return new Predicate(
        new BuildDefinition(
            BUILD_TYPE,
            new ExternalParameters(
                m.tag(),
                m.source(),
                requestedGo,
                m.recipe(),
                target == null ? null : target.toString()),
            new InternalParameters(m.go().version(), env, m.commitTime(), m.module()),
            deps),
        new RunDetails(
            new Builder(BUILDER_ID, new TreeMap<>(Map.of("rebuild-maven-plugin", builderVersion))),
            byproducts));
  }

  /** The tag's commit, as the git URI of the source at the tag. */
  static ResourceDescriptor source(ReleaseManifest m) {
    String src = m.source();
    String uri = src.contains("://") || src.matches("[^/]+@[^:]+:.*") ? src : "file://" + src;
    return ResourceDescriptor.of(SOURCE, "gitCommit", m.commit())
        .withUri("git+" + uri + "@refs/tags/" + m.tag());
  }

  /**
   * The toolchain: the downloaded archive by URL and sha256, or an installed GOROOT by its path and
   * version.
   */
  static ResourceDescriptor toolchain(ReleaseManifest.Toolchain go) {
    ResourceDescriptor d;
    if (go.sourceUrl() != null && go.archiveSha256() != null) {
      d =
          ResourceDescriptor.of(TOOLCHAIN, "sha256", go.archiveSha256())
              .withUri(Redaction.redact(go.sourceUrl()));
    } else {
      String origin = go.origin() == null ? "" : go.origin();
      String path = origin.replaceFirst("^installed: ", "").replaceFirst(" \\(.*\\)$", "");
      d = new ResourceDescriptor(TOOLCHAIN, "file://" + path, null, null, null, null);
    }
    return d.withAnnotation("version", go.version()).withAnnotation("origin", go.origin());
  }
}
