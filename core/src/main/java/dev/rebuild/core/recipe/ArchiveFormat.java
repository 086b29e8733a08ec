package dev.rebuild.core.recipe;

import java.util.Locale;

/** The archive formats a release can ship. */
public enum ArchiveFormat {
  TAR_GZ("tar.gz"),
  ZIP("zip");

  private final String extension;

  ArchiveFormat(String extension) {
    this.extension = extension;
  }

  public String extension() {
    return extension;
  }

  /**
   * Parses {@code tar.gz} (also {@code tgz}) or {@code zip}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ArchiveFormat parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "tar.gz", "tgz" -> TAR_GZ;
      case "zip" -> ZIP;
      default ->
          throw new IllegalArgumentException(
              "unknown archive format '" + text + "'; use tar.gz or zip");
    };
  }
}
