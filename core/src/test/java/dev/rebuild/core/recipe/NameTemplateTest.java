package dev.rebuild.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NameTemplateTest {

  @Test
  void expressesNsqsOwnArchiveName() {
    NameTemplate t =
        NameTemplate.parse(
            "nsq-{version}.{os}-{arch}.go{goVersion}", NameTemplate.RELEASE_PLACEHOLDERS);
    assertEquals(
        "nsq-1.3.0.linux-amd64.go1.22.12",
        t.expand(
            Map.of("version", "1.3.0", "os", "linux", "arch", "amd64", "goVersion", "1.22.12")));
  }

  @Test
  void unknownPlaceholderIsNamedWithTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NameTemplate.parse("{project}-{verison}", NameTemplate.RELEASE_PLACEHOLDERS));
    assertTrue(e.getMessage().contains("{verison}"), e.getMessage());
    assertTrue(e.getMessage().contains("{version}"), e.getMessage());
  }

  @Test
  void archiveSpecChecksBinDirAndOverrides() {
    ArchiveSpec spec =
        ArchiveSpec.parse("{project}-{os}", "tar.gz", Map.of("windows", "zip"), "{name}/bin");
    assertEquals(
        ArchiveFormat.ZIP, spec.formatFor(dev.rebuild.core.model.Platform.parse("windows/amd64")));
    assertEquals(
        ArchiveFormat.TAR_GZ, spec.formatFor(dev.rebuild.core.model.Platform.parse("linux/amd64")));
    assertThrows(IllegalArgumentException.class, () -> ArchiveSpec.parse("x", "rar", Map.of(), ""));
    assertThrows(
        IllegalArgumentException.class, () -> ArchiveSpec.parse("x", "zip", Map.of(), "../bin"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ArchiveSpec.parse("x", "zip", Map.of("windoze", "zip"), ""));
  }
}
