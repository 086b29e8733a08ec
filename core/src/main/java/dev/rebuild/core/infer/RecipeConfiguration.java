package dev.rebuild.core.infer;

import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.Recipe;
import java.util.Map;

/**
 * A recipe as the plugin's POM {@code <configuration>} block, to paste: what {@code
 * -Drebuild.writeRecipe=true} prints.
 */
public final class RecipeConfiguration {

  private RecipeConfiguration() {}

  /** The block, indented by two spaces per level, ending in a newline. */
  public static String xml(Recipe r) {
    StringBuilder out = new StringBuilder("<configuration>\n");
    if (r.projectName() != null) {
      element(out, 1, "projectName", r.projectName());
    }
    element(
        out, 1, "targets", String.join(",", r.targets().stream().map(Platform::toString).toList()));
    if (!r.packages().isEmpty()) {
      element(out, 1, "packages", String.join(" ", r.packages()));
    }
    if (r.ldflags() != null) {
      element(out, 1, "ldflags", r.ldflags().text());
    }
    if (!r.buildTags().isEmpty()) {
      element(out, 1, "tags", String.join(",", r.buildTags()));
    }
    if (r.trimpath()) {
      element(out, 1, "trimpath", "true");
    }
    if (!r.buildFlags().isEmpty()) {
      element(out, 1, "buildFlags", String.join(" ", r.buildFlags()));
    }
    if (!r.env().isEmpty()) {
      map(out, 1, "env", r.env());
    }
    if (!r.binaryNames().isEmpty()) {
      element(
          out,
          1,
          "binaryNames",
          String.join(
              ",",
              r.binaryNames().entrySet().stream()
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .toList()));
    }
    if (r.archive() != null) {
      indent(out, 1).append("<archive>\n");
      element(out, 2, "name", r.archive().name().text());
      element(out, 2, "format", r.archive().format().extension());
      if (!r.archive().formatOverrides().isEmpty()) {
        indent(out, 2).append("<formatOverrides>\n");
        r.archive().formatOverrides().forEach((os, f) -> element(out, 3, os, f.extension()));
        indent(out, 2).append("</formatOverrides>\n");
      }
      if (!r.archive().binDir().text().isEmpty()) {
        element(out, 2, "binDir", r.archive().binDir().text());
      }
      indent(out, 1).append("</archive>\n");
    }
    if (!r.perTarget().isEmpty()) {
      // The POM has no per-target values: say so where the user pastes the block.
      indent(out, 1)
          .append("<!-- ")
          .append(
              escape(
                      "not expressible here, the targets differ in: "
                          + String.join(
                              "; ",
                              r.perTarget().entrySet().stream()
                                  .map(
                                      e ->
                                          e.getKey()
                                              + (e.getValue().ldflags() == null
                                                  ? ""
                                                  : " ldflags=" + e.getValue().ldflags().text())
                                              + (e.getValue().env().isEmpty()
                                                  ? ""
                                                  : " env=" + e.getValue().env()))
                                  .toList())
                          + "; rebuild such targets in separate runs (-Drebuild.targets)")
                  .replace("--", "- -"))
          .append(" -->\n");
    }
    return out.append("</configuration>\n").toString();
  }

  private static void map(StringBuilder out, int level, String name, Map<String, String> values) {
    indent(out, level).append('<').append(name).append(">\n");
    values.forEach((k, v) -> element(out, level + 1, k, v));
    indent(out, level).append("</").append(name).append(">\n");
  }

  private static void element(StringBuilder out, int level, String name, String value) {
    indent(out, level)
        .append('<')
        .append(name)
        .append('>')
        .append(escape(value))
        .append("</")
        .append(name)
        .append(">\n");
  }

  private static StringBuilder indent(StringBuilder out, int level) {
    return out.append("  ".repeat(level));
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
