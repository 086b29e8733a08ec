package dev.rebuild.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.model.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer rewriting, checked against GNU tar's own reading of a layer GNU tar wrote. */
class LayersTest {
  @TempDir Path tmp;

  @Test
  void rewriteKeepsEveryHeaderAndChangesOnlyTheBinary() throws Exception {
    Fixture fixture = Fixture.get();
    Path root = Files.createDirectories(tmp.resolve("root"));
    String longDir = "opt/" + "a-rather-long-directory-name/".repeat(5);
    Files.createDirectories(root.resolve(longDir));
    Files.copy(fixture.oldBinaries.get("linux/amd64 hello"), root.resolve(longDir + "hello"));
    Files.createLink(root.resolve("opt/hello-hardlink"), root.resolve(longDir + "hello"));
    Files.createSymbolicLink(root.resolve("opt/hello-symlink"), Path.of(longDir + "hello"));
    Files.writeString(root.resolve("opt/config.txt"), "key=value\n");
    Path layer = tmp.resolve("layer.tar.gz");
    Cmd.ok(
        List.of(
            "tar",
            "--format=pax",
            "--sort=name",
            "--owner=1234",
            "--group=5678",
            "--mtime=2023-06-01 08:00:00Z",
            "--mode=go-w",
            "-czf",
            layer.toString(),
            "-C",
            root.toString(),
            "opt"),
        null,
        null);

    List<Layers.GoFile> found = Layers.scan(layer, 0, new GoBuildInfoIdentifier(), tmp);
    assertEquals(1, found.size(), "the hard link is a link, not a second binary");
    assertEquals(longDir + "hello", found.get(0).path());
    assertEquals(Fixture.HELLO, found.get(0).mainPath());

    Path replacement = fixture.rebuilt.get(0).file();
    Path out1 = tmp.resolve("new1.tar.gz");
    Path out2 = tmp.resolve("new2.tar.gz");
    Layers.WrittenLayer w = Layers.rewrite(layer, Map.of(longDir + "hello", replacement), out1);
    Layers.rewrite(layer, Map.of(longDir + "hello", replacement), out2);
    assertArrayEquals(Files.readAllBytes(out1), Files.readAllBytes(out2), "deterministic");
    assertEquals(Digest.of(out1).toString(), w.digest());

    List<String> before =
        Cmd.ok("tar", "--numeric-owner", "-tvzf", layer.toString()).lines().toList();
    List<String> after =
        Cmd.ok("tar", "--numeric-owner", "-tvzf", out1.toString()).lines().toList();
    assertEquals(before.size(), after.size());
    long oldSize = Files.size(fixture.oldBinaries.get("linux/amd64 hello"));
    long newSize = Files.size(replacement);
    for (int i = 0; i < before.size(); i++) {
      if (before.get(i).endsWith(longDir + "hello")) {
        assertEquals(before.get(i).replace(" " + oldSize + " ", " " + newSize + " "), after.get(i));
      } else {
        assertEquals(before.get(i), after.get(i), "unchanged entry");
      }
    }
    assertTrue(String.join("\n", after).contains("1234/5678"), String.join("\n", after));

    Path x = Files.createDirectories(tmp.resolve("x"));
    Cmd.ok("tar", "-xzf", out1.toString(), "-C", x.toString());
    assertArrayEquals(
        Files.readAllBytes(replacement), Files.readAllBytes(x.resolve("opt/hello-hardlink")));
    assertEquals("key=value\n", Files.readString(x.resolve("opt/config.txt")));
  }
}
