package dev.rebuild.core.image;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What every image of one release rebuild shares.
 *
 * @param version the release version for the {@code org.opencontainers.image.version} annotation
 * @param revision the tag's commit
 * @param created the tag's commit time: the config's {@code created} and the annotations use it, so
 *     the same inputs give the same image
 * @param goVersion the Go version of the rebuild, e.g. {@code go1.22.12}
 * @param insecureRegistries registries ({@code host:port}) spoken to over plain HTTP
 * @param moveTags tags that may be moved although they already point at another image
 * @param skipPublish write an OCI image layout under {@code outputDir} instead of pushing
 * @param outputDir where the OCI layout goes ({@code target/rebuild/<tag>/images})
 * @param credentials registry credentials
 */
public record ImageContext(
    String version,
    String revision,
    Instant created,
    String goVersion,
    Set<String> insecureRegistries,
    Set<String> moveTags,
    boolean skipPublish,
    Path outputDir,
    CredentialSource credentials) {

  public ImageContext {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(goVersion, "goVersion");
    insecureRegistries = insecureRegistries == null ? Set.of() : Set.copyOf(insecureRegistries);
    moveTags = moveTags == null ? Set.of() : Set.copyOf(moveTags);
    Objects.requireNonNull(outputDir, "outputDir");
    credentials = credentials == null ? CredentialSource.NONE : credentials;
  }
}
