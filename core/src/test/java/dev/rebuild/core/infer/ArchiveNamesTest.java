package dev.rebuild.core.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rebuild.core.model.Platform;
import dev.rebuild.core.release.ReleaseNames;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Archive names turned back into name templates. */
class ArchiveNamesTest {

  static Map<String, String> values(String project, String tag, Platform p, String go) {
    return ArchiveNames.values(new ReleaseNames(project, tag, "1.26.8"), p, go);
  }

  @Test
  void nsqAndGoReleaserNamesBecomeTheirTemplates() {
    assertEquals(
        "{project}-{version}.{os}-{arch}.go{goVersion}",
        ArchiveNames.template(
            "nsq-1.3.0.linux-amd64.go1.21.5",
            values("nsq", "v1.3.0", Platform.parse("linux/amd64"), "1.21.5")));
    assertEquals(
        "{project}_{version}_{os}_{arch}",
        ArchiveNames.template(
            "kestrel_2.4.1_linux_armv7",
            values("kestrel", "v2.4.1", Platform.parse("linux/arm/7"), "1.21.13")));
    // The tag is longer than the version it contains: the longest match wins.
    assertEquals(
        "{project}-{tag}-{os}-{arch}",
        ArchiveNames.template(
            "tool-v1.0.0-darwin-arm64",
            values("tool", "v1.0.0", Platform.parse("darwin/arm64"), "1.22.1")));
  }

  @Test
  void goarchAloneIsThereForNamesWithoutTheVariant() {
    Map<String, String> arm = values("nsq", "v1.3.0", Platform.parse("linux/arm/7"), "1.21.5");
    assertEquals(
        "{project}-{version}.{os}-{goarch}", ArchiveNames.template("nsq-1.3.0.linux-arm", arm));
    assertEquals(
        "{project}-{version}.{os}-{arch}", ArchiveNames.template("nsq-1.3.0.linux-armv7", arm));
    assertEquals(
        "{project}-{version}.{os}-{goarch}",
        ArchiveNames.template(
            "nsq-1.3.0.linux-amd64",
            ArchiveNames.withoutVariant(
                values("nsq", "v1.3.0", Platform.parse("linux/amd64"), "1.21.5"))));
  }

  @Test
  void theLabelGoesIntoTheVersionPart() {
    assertEquals(
        "{project}_{version}-go{goVersion}_{os}_{arch}",
        ArchiveNames.withLabel("{project}_{version}_{os}_{arch}", ReleaseNames.DEFAULT_LABEL));
    assertEquals(
        "{project}-{tag}-go{goVersion}-{os}",
        ArchiveNames.withLabel("{project}-{tag}-{os}", ReleaseNames.DEFAULT_LABEL));
    assertEquals(
        "{project}_{os}_{arch}-go{goVersion}",
        ArchiveNames.withLabel("{project}_{os}_{arch}", ReleaseNames.DEFAULT_LABEL));
  }

  @Test
  void aLabelNotStartingWithTheTagReplacesTheVersion() {
    assertEquals(
        "{project}_{version}.rebuild1_{os}_{arch}",
        ArchiveNames.withLabel("{project}_{version}_{os}_{arch}", "{tag}.rebuild1"));
    assertEquals(
        "{project}_security-{version}-{goVersion}_{os}",
        ArchiveNames.withLabel("{project}_{version}_{os}", "security-{version}-{goVersion}"));
  }

  @Test
  void theBinaryDirectoryNamesTheArchive() {
    assertEquals(
        "{name}/bin", ArchiveNames.binDir("nsq-1.3.0.linux-amd64/bin", "nsq-1.3.0.linux-amd64"));
    assertEquals("{name}", ArchiveNames.binDir("nsq-1.3.0.linux-amd64", "nsq-1.3.0.linux-amd64"));
    assertEquals("", ArchiveNames.binDir("", "x"));
    assertEquals("bin", ArchiveNames.binDir("bin", "x"));
  }
}
