package dev.rebuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/**
 * The parameter a failure names is one the user can set: its XML path, and a user property only
 * where the plugin's descriptor (generated from the mojos, so independent of the hint's code) has
 * it.
 */
class RebuildMojoSupportTest {

  /** The parameters core's bad-input errors name. */
  private static final List<String> NAMED_BY_CORE =
      List.of(
          "tag",
          "go",
          "source",
          "label",
          "targets",
          "original",
          "originalGo",
          "parts",
          "outputDirectory",
          "tagDirectory",
          "replaceAssets",
          "env",
          "images",
          "archive.name",
          "publish.github",
          "publish.github.mode",
          "publish.github.repository",
          "publish.github.apiUrl",
          "publish.github.serverId",
          "publish.http.url",
          "publish.http.serverId");

  @Test
  void aNestedPublishElementIsNamedByItsXmlPathAndNoProperty() {
    Exception e =
        RebuildMojoSupport.translate(
            RebuildException.badInput("publish.http.url", "the URL has no host; fix <url>"));
    assertInstanceOf(MojoFailureException.class, e);
    assertEquals(
        "the URL has no host; fix <url> [parameter: <publish><http><url>]", e.getMessage());
    assertEquals("<archive><name>", RebuildMojoSupport.hint("archive.name"));
    assertEquals("<env>", RebuildMojoSupport.hint("env"));
  }

  @Test
  void aTopLevelParameterIsNamedWithItsUserProperty() {
    assertEquals("<label> / -Drebuild.label", RebuildMojoSupport.hint("label"));
    assertEquals("-Dtag", RebuildMojoSupport.hint("tag"));
  }

  @Test
  void everyPropertyAndElementAHintNamesExistsInThePluginDescriptor() throws IOException {
    String descriptor;
    try (InputStream in =
        RebuildMojoSupport.class.getResourceAsStream("/META-INF/maven/plugin.xml")) {
      assertNotNull(in, "no plugin.xml: run the build's process-classes phase first");
      descriptor = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String parameter : NAMED_BY_CORE) {
      String hint = RebuildMojoSupport.hint(parameter);
      Matcher property = Pattern.compile("-D([\\w.]+)").matcher(hint);
      while (property.find()) {
        assertTrue(
            descriptor.contains(">${" + property.group(1) + "}<"),
            hint + " names -D" + property.group(1) + ", which no goal has");
      }
      String top = parameter.split("\\.")[0];
      assertTrue(
          descriptor.contains("<name>" + top + "</name>"), hint + ": no parameter <" + top + ">");
    }
  }
}
