package dev.rebuild.core.image;

import java.util.regex.Pattern;

/**
 * A registry image reference: {@code registry/repository[:tag][@digest]}.
 *
 * @param registry {@code host[:port]}; {@code docker.io} when the reference names none
 * @param repository the repository path
 * @param tag null when absent
 * @param digest null when absent
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

  private static final Pattern REPO =
      Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+|__)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+|__)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /**
   * Parses a reference; {@code requireNoTag} for a target repository name.
   *
   * @throws ImageException naming the expected form
   */
  public static ImageReference parse(String text) throws ImageException {
    String t = text == null ? "" : text.trim();
    String digest = null;
    int at = t.indexOf('@');
    if (at >= 0) {
      digest = t.substring(at + 1);
      t = t.substring(0, at);
      if (!digest.matches("sha256:[0-9a-f]{64}")) {
        throw bad(text, "the digest must be sha256:<64 hex digits>");
      }
    }
    String registry = "docker.io";
    int slash = t.indexOf('/');
    if (slash > 0) {
      String first = t.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        t = t.substring(slash + 1);
      }
    }
    String tag = null;
    int colon = t.lastIndexOf(':');
    if (colon >= 0) {
      tag = t.substring(colon + 1);
      t = t.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw bad(text, "'" + tag + "' is not a valid tag");
      }
    }
    if (registry.equals("docker.io") && !t.contains("/")) {
      t = "library/" + t;
    }
    if (!REPO.matcher(t).matches()) {
      throw bad(text, "'" + t + "' is not a valid repository (lower case, / separated)");
    }
    return new ImageReference(registry, t, tag, digest);
  }

  private static ImageException bad(String text, String why) {
    return ImageException.badInput(
        "malformed image reference '"
            + text
            + "': "
            + why
            + "; use registry.example.org/group/name:tag");
  }

  /** The tag, else the digest: what the manifest endpoint takes. */
  public String reference() {
    return digest != null ? digest : tag != null ? tag : "latest";
  }

  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, null);
  }

  public String repositoryName() {
    return registry + "/" + repository;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(repositoryName());
    if (tag != null) {
      b.append(':').append(tag);
    }
    if (digest != null) {
      b.append('@').append(digest);
    }
    return b.toString();
  }
}
