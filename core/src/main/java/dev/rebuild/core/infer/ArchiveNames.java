package dev.rebuild.core.infer;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveFormat;
import dev.rebuild.core.release.ReleaseNames;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Turns an original archive's name back into a name template. */
final class ArchiveNames {

  private ArchiveNames() {}

  /** The archive format a file name shows, or null when it is not an archive. */
  static ArchiveFormat format(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
      return ArchiveFormat.TAR_GZ;
    }
    return lower.endsWith(".zip") ? ArchiveFormat.ZIP : null;
  }

  /** The file name without its archive extension. */
  static String base(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".tar.gz", ".tgz", ".zip"}) {
      if (lower.endsWith(ext)) {
        return fileName.substring(0, fileName.length() - ext.length());
      }
    }
    return fileName;
  }

  /**
   * The placeholder values an original archive of {@code platform} was named with: the release's,
   * and the Go version the binary {@code info} records in place of the rebuild's.
   */
  static Map<String, String> values(ReleaseNames names, Platform platform, BuildInfo info) {
    GoVersion go = info.parsedGoVersion();
    return values(names, platform, go == null ? info.goVersion() : go.number());
  }

  /** As above, with the original's Go version as a number ({@code 1.21.5}). */
  static Map<String, String> values(ReleaseNames names, Platform platform, String goVersion) {
    Map<String, String> all = names.placeholders(platform);
    all.put("goVersion", goVersion);
    // Equal values (a tag without "v" is the version; GOARCH without a variant is {arch}) take
    // the first placeholder of this order.
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : ORDER) {
      values.put(key, all.get(key));
    }
    return values;
  }

  private static final java.util.List<String> ORDER =
      java.util.List.of("project", "version", "tag", "os", "arch", "goarch", "goVersion");

  /** {@code values} without {@code {arch}}: names that show GOARCH without its variant. */
  static Map<String, String> withoutVariant(Map<String, String> values) {
    Map<String, String> out = new LinkedHashMap<>(values);
    out.remove("arch");
    return out;
  }

  /**
   * {@code text} with every occurrence of a value replaced by its placeholder, scanning left to
   * right and taking the longest value that matches at each position.
   */
  static String template(String text, Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      String best = null;
      int length = 0;
      for (Map.Entry<String, String> v : values.entrySet()) {
        String value = v.getValue();
        if (value != null
            && !value.isEmpty()
            && value.length() > length
            && text.startsWith(value, i)) {
          best = v.getKey();
          length = value.length();
        }
      }
      if (best == null) {
        out.append(text.charAt(i++));
      } else {
        out.append('{').append(best).append('}');
        i += length;
      }
    }
    return out.toString();
  }

  /** The binaries' directory inside the archive, with {@code {name}} for the archive's own name. */
  static String binDir(String dir, String archiveBase) {
    if (dir.equals(archiveBase)) {
      return "{name}";
    }
    return dir.startsWith(archiveBase + "/") ? "{name}" + dir.substring(archiveBase.length()) : dir;
  }

  /**
   * The template with the rebuild label in its version part, so that rebuilt names differ from the
   * original's: with the default label {@code {tag}-go{goVersion}}, what follows the tag goes after
   * the version ({@code {project}_{version}_{os}_{arch}} becomes {@code
   * {project}_{version}-go{goVersion}_{os}_{arch}}); a label that does not start with the tag
   * replaces the version; a template without a version gets the label's tail at its end.
   */
  static String withLabel(String template, String label) {
    boolean afterTag = label.startsWith("{tag}");
    String suffix = afterTag ? label.substring("{tag}".length()) : "-" + label;
    for (String part : new String[] {"{version}", "{tag}"}) {
      int at = template.indexOf(part);
      if (at >= 0) {
        int end = at + part.length();
        return afterTag
            ? template.substring(0, end) + suffix + template.substring(end)
            : template.substring(0, at) + label + template.substring(end);
      }
    }
    return template + suffix;
  }
}
