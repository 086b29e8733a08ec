package dev.rebuild.core.recipe;

import dev.rebuild.core.model.Platform;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How binaries are packed: the archive's name (without extension), its format with per-OS
 * overrides, and the directory inside the archive that holds the binaries.
 *
 * @param binDir a template that may use {@code {name}} (the archive name) besides the release
 *     placeholders; empty puts the binaries at the archive's root
 */
public record ArchiveSpec(
    NameTemplate name,
    ArchiveFormat format,
    SortedMap<String, ArchiveFormat> formatOverrides,
    NameTemplate binDir) {

  private static final Set<String> BIN_DIR_PLACEHOLDERS = binDirPlaceholders();

  public ArchiveSpec {
    formatOverrides = new TreeMap<>(formatOverrides);
  }

  /**
   * Parses the parts as configured.
   *
   * @throws IllegalArgumentException naming the part at fault
   */
  public static ArchiveSpec parse(
      String name, String format, Map<String, String> overrides, String binDir) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("archive name is empty");
    }
    if (name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException("archive name '" + name + "' must not contain a slash");
    }
    SortedMap<String, ArchiveFormat> parsed = new TreeMap<>();
    if (overrides != null) {
      overrides.forEach(
          (os, f) -> {
            if (!Platform.KNOWN_OS.contains(os)) {
              throw new IllegalArgumentException("format override for unknown GOOS '" + os + "'");
            }
            parsed.put(os, ArchiveFormat.parse(f));
          });
    }
    String dir = binDir == null ? "" : binDir.trim();
    if (dir.startsWith("/") || dir.contains("..") || dir.contains("\\")) {
      throw new IllegalArgumentException(
          "binDir '" + binDir + "' must be a relative path inside the archive without '..'");
    }
    return new ArchiveSpec(
        NameTemplate.parse(name.trim(), NameTemplate.RELEASE_PLACEHOLDERS),
        format == null || format.isBlank() ? ArchiveFormat.TAR_GZ : ArchiveFormat.parse(format),
        parsed,
        NameTemplate.parse(dir, BIN_DIR_PLACEHOLDERS));
  }

  public ArchiveFormat formatFor(Platform platform) {
    return formatOverrides.getOrDefault(platform.os(), format);
  }

  private static Set<String> binDirPlaceholders() {
    java.util.HashSet<String> s = new java.util.HashSet<>(NameTemplate.RELEASE_PLACEHOLDERS);
    s.add("name");
    return Set.copyOf(s);
  }
}
