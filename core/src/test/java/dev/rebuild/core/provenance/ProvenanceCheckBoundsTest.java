package dev.rebuild.core.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.RebuildException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provenance file is outside data: bounded, and what is not one is named as such. */
class ProvenanceCheckBoundsTest {

  @TempDir Path dir;

  @Test
  void aProvenanceLargerThanTheBoundIsRefusedWithoutReadingItAll() throws Exception {
    Path big = dir.resolve("big.intoto.jsonl");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(ProvenanceCheck.MAX_BYTES + 1); // sparse: no disk needed
    }
    RebuildException e = assertThrows(RebuildException.class, () -> ProvenanceCheck.read(big));
    assertEquals("provenance", e.parameter());
    assertTrue(e.getMessage().contains("at most 16 MiB"), e.getMessage());
  }

  @Test
  void somethingElseIsNamedAsNoProvenance() throws Exception {
    Path vex =
        Files.writeString(
            dir.resolve("x.intoto.jsonl"),
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
                + "\"predicateType\":\"https://openvex.dev/ns/v0.2.0\"}\n");
    RebuildException e = assertThrows(RebuildException.class, () -> ProvenanceCheck.read(vex));
    assertTrue(e.getMessage().contains("not https://slsa.dev/provenance/v1"), e.getMessage());
    Path empty = Files.writeString(dir.resolve("e.intoto.jsonl"), "\n");
    assertTrue(
        assertThrows(RebuildException.class, () -> ProvenanceCheck.read(empty))
            .getMessage()
            .contains("holds no statement"));
    Path notJson = Files.writeString(dir.resolve("n.intoto.jsonl"), "<html>\n");
    assertTrue(
        assertThrows(RebuildException.class, () -> ProvenanceCheck.read(notJson))
            .getMessage()
            .contains("line 1 is not JSON"));
  }
}
