package dev.rebuild.maven;

import java.util.Map;

/**
 * The {@code <archive>} configuration of {@code rebuild:release}: how each target's binaries are
 * packed. Without it, bare binaries are shipped.
 *
 * @since 0.1.0
 */
public class Archive {

  /**
   * The archive's file name without extension. Placeholders: {@code {project}}, {@code {version}}
   * (the tag without a leading {@code v}), {@code {tag}}, {@code {os}}, {@code {arch}}, {@code
   * {goVersion}} (e.g. {@code 1.22.12}).
   */
  String name;

  /** {@code tar.gz} (default) or {@code zip}. */
  String format;

  /** Per-GOOS format, e.g. {@code <windows>zip</windows>}. */
  Map<String, String> formatOverrides;

  /**
   * The directory inside the archive holding the binaries; {@code {name}} is the archive name.
   * Empty (default): the archive's root.
   */
  String binDir;

  public String getName() {
    return name;
  }

  public String getFormat() {
    return format;
  }

  public Map<String, String> getFormatOverrides() {
    return formatOverrides;
  }

  public String getBinDir() {
    return binDir;
  }
}
