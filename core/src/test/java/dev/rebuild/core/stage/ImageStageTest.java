package dev.rebuild.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.image.ImageSpec;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.stage.ImageStage.ImageTemplate;
import dev.rebuild.core.stage.ImageStage.InvalidImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageStageTest {

  private static final Map<String, String> VALUES =
      Map.of("project", "nsq", "tag", "v1.3.0", "version", "1.3.0", "goVersion", "1.22.12");

  @Test
  void theReadmeContractExpandsToTheSecurityRebuildTag() {
    ImageSpec spec =
        ImageTemplate.parse(
                "registry.example.org/nsqio/nsq:{tag}",
                "registry.example.org/nsqio/nsq",
                List.of("{tag}-go{goVersion}"),
                null,
                null,
                null)
            .expand(VALUES);
    assertEquals("registry.example.org/nsqio/nsq:v1.3.0", spec.original());
    assertEquals("registry.example.org/nsqio/nsq", spec.name());
    assertEquals(List.of("v1.3.0-go1.22.12"), spec.tags());
    assertEquals(ImageSpec.Strategy.REPLACE, spec.strategy());
    assertEquals(List.of(), spec.platforms());
  }

  @Test
  void withoutTagsTheMainTagIsTheDefaultAndExtraTagsFollow() {
    ImageSpec spec =
        ImageTemplate.parse("oci-layout:/x:{tag}", "ghcr.io/o/{project}", List.of(), "", null, "")
            .expand(VALUES);
    assertEquals(List.of("v1.3.0-go1.22.12"), spec.tags());
    assertEquals("ghcr.io/o/nsq", spec.name());
  }

  @Test
  void rebaseTakesBaseAndPlatforms() {
    ImageSpec spec =
        ImageTemplate.parse(
                "docker-archive:/tmp/nsq.tar",
                "r.example/nsq",
                List.of("{version}", "latest"),
                "REBASE",
                "r.example/base:12",
                "linux/amd64, linux/arm/7")
            .expand(VALUES);
    assertEquals(ImageSpec.Strategy.REBASE, spec.strategy());
    assertEquals("r.example/base:12", spec.base());
    assertEquals(List.of("1.3.0", "latest"), spec.tags());
    assertEquals(
        List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm/7")), spec.platforms());
  }

  @Test
  void badConfigurationNamesTheField() {
    assertField("original", () -> ImageTemplate.parse(" ", "r/x", List.of(), null, null, null));
    assertField("name", () -> ImageTemplate.parse("r/x:1", null, List.of(), null, null, null));
    InvalidImage os =
        assertField(
            "tag", () -> ImageTemplate.parse("r/x:1", "r/y", List.of("{os}"), null, null, null));
    assertTrue(os.getMessage().contains("{goVersion}"), os.getMessage());
    assertField(
        "strategy", () -> ImageTemplate.parse("r/x:1", "r/y", List.of(), "squash", null, null));
    assertField("base", () -> ImageTemplate.parse("r/x:1", "r/y", List.of(), "rebase", null, null));
    assertField("base", () -> ImageTemplate.parse("r/x:1", "r/y", List.of(), null, "r/b", null));
    assertField(
        "platforms", () -> ImageTemplate.parse("r/x:1", "r/y", List.of(), null, null, "linux"));
  }

  @Test
  void layoutDirectoryIsTheRepositoryPath() {
    assertEquals("nsqio/nsq", ImageStage.layoutDirectory("registry.example.org/nsqio/nsq"));
    assertEquals("demo", ImageStage.layoutDirectory("127.0.0.1:5000/demo"));
    assertEquals("library/app", ImageStage.layoutDirectory("library/app"));
  }

  private static InvalidImage assertField(String field, Runnable parse) {
    InvalidImage e = assertThrows(InvalidImage.class, parse::run);
    assertEquals(field, e.field(), e.getMessage());
    return e;
  }
}
