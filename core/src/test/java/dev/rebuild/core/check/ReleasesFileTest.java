package dev.rebuild.core.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleasesFileTest {

  @TempDir Path dir;

  @Test
  void readsReleasesWithPathsRelativeToTheFile() throws Exception {
    Path file = dir.resolve("conf/releases.json");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "{\"releases\": [{\"name\": \"nsq\", \"tag\": \"v1.3.0\", \"published\": [\"../dl/nsq\","
            + " \"https://example.com/dl/v1.3.0/nsq.tar.gz\"],"
            + " \"images\": [\"registry.example.com/nsqio/nsq\"]},"
            + " {\"tag\": \"v2.0.0\", \"project\": \"demo\", \"github\": [\"o/demo\"]}]}");
    List<ReleaseToCheck> r = ReleasesFile.read(file);
    assertEquals(2, r.size());
    assertEquals("nsq", r.get(0).name());
    assertEquals(List.of(dir.resolve("dl/nsq")), r.get(0).published());
    assertEquals(
        List.of(java.net.URI.create("https://example.com/dl/v1.3.0/nsq.tar.gz")), r.get(0).urls());
    assertEquals(List.of("registry.example.com/nsqio/nsq"), r.get(0).images());
    assertEquals("v2.0.0", r.get(1).name());
    assertEquals("demo", r.get(1).project());
    assertEquals(List.of("o/demo"), r.get(1).github());
  }

  @Test
  void readsYaml() throws Exception {
    Path file = dir.resolve("releases.yaml");
    Files.writeString(
        file,
        "releases:\n  - name: nsq\n    tag: v1.3.0\n    published: [dl/nsq]\n"
            + "    images:\n      - registry.example.com/nsqio/nsq\n");
    List<ReleaseToCheck> r = ReleasesFile.read(file);
    assertEquals("v1.3.0", r.get(0).tag());
    assertEquals(List.of(dir.resolve("dl/nsq")), r.get(0).published());
    assertEquals(List.of("registry.example.com/nsqio/nsq"), r.get(0).images());
    Files.writeString(file, "releases:\n  - tag: [v1]\n    published: [x]\n");
    RebuildException e = assertThrows(RebuildException.class, () -> ReleasesFile.read(file));
    assertTrue(e.getMessage().contains("\"tag\" must be a non-empty string"), e.getMessage());
  }

  @Test
  void badFilesAreRefusedNamingTheReleaseAndTheField() throws Exception {
    assertRefused("{\"releases\": []}", "lists no releases");
    assertRefused("not json", "is neither JSON nor YAML");
    assertRefused("[{\"tag\": \"v1\", \"publihsed\": [\"x\"]}]", "unknown field 'publihsed'");
    assertRefused("[{\"name\": \"a\", \"published\": [\"x\"]}]", "release 1 has no \"tag\"");
    assertRefused("[{\"tag\": \"v1\"}]", "names nothing published");
    assertRefused(
        "[{\"tag\": \"v1\", \"published\": [\"x\"]}, {\"tag\": \"v1\", \"published\": [\"y\"]}]",
        "the name 'v1' is used twice");
    assertRefused("[{\"name\": \"a b\", \"tag\": \"v1\", \"published\": [\"x\"]}]", "name 'a b'");
    assertRefused("[{\"tag\": \"v1\", \"published\": \"x\"}]", "must be a list of strings");
    assertRefused(
        "[{\"tag\": \"v1\", \"published\": [\"https://example.com/dir/\"]}]",
        "is not the URL of a published file");
    RebuildException e =
        assertThrows(RebuildException.class, () -> ReleasesFile.read(dir.resolve("none.json")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    Path big = dir.resolve("big.json");
    Files.write(big, new byte[ReleasesFile.MAX_BYTES + 1]);
    assertTrue(
        assertThrows(RebuildException.class, () -> ReleasesFile.read(big))
            .getMessage()
            .contains("more than 1 MiB"));
  }

  private void assertRefused(String text, String expected) throws Exception {
    Path file = dir.resolve("releases.json");
    Files.writeString(file, text);
    RebuildException e = assertThrows(RebuildException.class, () -> ReleasesFile.read(file));
    assertEquals(ReleasesFile.PARAMETER, e.parameter());
    assertEquals(RebuildException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
