package dev.rebuild.maven;

import java.util.List;

/**
 * One {@code <image>} of {@code <images>}: a container image of the release, rebuilt with the new
 * binaries. Names and tags may use {@code {tag}}, {@code {version}}, {@code {project}} and {@code
 * {goVersion}}.
 *
 * @since 0.1.0
 */
public class Image {

  /**
   * The original image: {@code registry/repo:tag} (or {@code @sha256:...}), {@code
   * oci-layout:DIR:REF} or {@code docker-archive:FILE}.
   */
  String original;

  /** The repository the rebuilt image is pushed to, {@code registry/repo} without a tag. */
  String name;

  /** The main tag. Default: {@code {tag}-go{goVersion}}. */
  String tag;

  /** Further tags set on the rebuilt image, after the main one. */
  List<String> tags;

  /**
   * {@code replace} (default): only the layers holding Go binaries are rewritten; {@code rebase}:
   * the rebuilt binaries go on {@link #base} as one new layer.
   */
  String strategy;

  /** The base image for {@code rebase}, in the same forms as {@link #original}. */
  String base;

  /**
   * Comma-separated platforms to rebuild, e.g. {@code linux/amd64}. Default: all of the original's.
   */
  String platforms;

  public String getOriginal() {
    return original;
  }

  public String getName() {
    return name;
  }

  public String getTag() {
    return tag;
  }

  public List<String> getTags() {
    return tags;
  }

  public String getStrategy() {
    return strategy;
  }

  public String getBase() {
    return base;
  }

  public String getPlatforms() {
    return platforms;
  }
}
