package dev.rebuild.core.image;

import dev.rebuild.core.model.Platform;
import java.util.List;
import java.util.Objects;

/**
 * One container image of a release to rebuild.
 *
 * @param original the original image: {@code registry/repo:tag} (or {@code @sha256:...}), {@code
 *     oci-layout:DIR:REF} or {@code docker-archive:FILE}; placeholders already expanded
 * @param name the target repository, {@code registry/repo} without tag
 * @param tags the target tags, the first is the main one
 * @param strategy how the new image is made
 * @param base the base image for {@link Strategy#REBASE}, in the same forms as {@code original};
 *     null otherwise
 * @param platforms the platforms to rebuild; empty means all of the original's
 */
public record ImageSpec(
    String original,
    String name,
    List<String> tags,
    Strategy strategy,
    String base,
    List<Platform> platforms) {

  /** How the rebuilt image is assembled. */
  public enum Strategy {
    /** Rewrite the layers holding Go binaries in place; every other layer stays as it was. */
    REPLACE,
    /** The base image's layers plus one layer holding the rebuilt binaries. */
    REBASE
  }

  public ImageSpec {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(name, "name");
    tags = List.copyOf(tags);
    strategy = strategy == null ? Strategy.REPLACE : strategy;
    platforms = platforms == null ? List.of() : List.copyOf(platforms);
  }

  /** A {@link Strategy#REPLACE} spec for all platforms of the original. */
  public static ImageSpec replace(String original, String name, List<String> tags) {
    return new ImageSpec(original, name, tags, Strategy.REPLACE, null, List.of());
  }
}
