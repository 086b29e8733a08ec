package dev.rebuild.core.vuln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  private static VulnerabilitySource db;
  private static VulnerabilityScanner scanner;

  @BeforeAll
  static void open() {
    db = VulnerabilitySources.open(Fixture.dir().toString());
    scanner = new VulnerabilityScanner(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static ScanResult scan(String go, String os, ModuleRef... modules) {
    return scanner.scan(Fixture.target(go, os, "amd64", modules));
  }

  @Test
  void rebuildWithAPatchedLineFixesSomeAndKeepsTheRestWithTheirFix() {
    ModuleRef text = new ModuleRef("golang.org/x/text", "v0.3.7");
    Comparison c =
        Comparison.of(scan("go1.21.13", "linux", text), scan("go1.22.12", "linux", text));
    assertEquals(
        List.of("GO-2024-3105", "GO-2024-3106", "GO-2024-3107", "GO-2025-3373"),
        c.fixedByRebuild().stream().map(Finding::id).toList());
    assertEquals(
        List.of(
            "GO-2022-1059 v0.3.8",
            "GO-2025-3563 go1.23.8",
            "GO-2026-4864 go1.25.9",
            "GO-2026-5970 v0.39.0"),
        c.stillPresent().stream().map(s -> s.rebuilt().id() + " " + s.fixedIn()).toList());
    Comparison.StillPresent p = c.stillPresent().get(1);
    assertEquals("1.21.13", p.original().foundVersion());
    assertEquals("1.22.12", p.rebuilt().foundVersion());
    assertEquals(List.of(), c.newlyIntroduced());
    assertTrue(c.improved());
  }

  @Test
  void rebuildWithTheLatestGoClearsTheStdlib() {
    Comparison c = Comparison.of(scan("go1.21.13", "windows"), scan("go1.26.8", "windows"));
    assertEquals(6, c.fixedByRebuild().size());
    assertEquals(List.of(), c.stillPresent());
    assertEquals(List.of(), c.newlyIntroduced());
  }

  @Test
  void aNewerLineCanIntroduceVulnerabilities() {
    Comparison c = Comparison.of(scan("go1.21.13", "linux"), scan("go1.22.2", "linux"));
    assertTrue(
        c.newlyIntroduced().stream().map(Finding::id).toList().contains("GO-2024-2824"),
        c.toString());
    assertFalse(c.improved());
  }

  @Test
  void unknownRebuildCannotBeCompared() {
    ScanResult unknown = scan("devel go1.27-abc", "linux");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Comparison.of(scan("go1.21.13", "linux"), unknown));
    assertTrue(e.getMessage().contains("standard library was not checked"), e.getMessage());
  }

  @Test
  void failOnGates() {
    Finding fixable = new Finding("GO-1", List.of(), "stdlib", "1.21.13", "1.22.7", "a");
    Finding unfixable = new Finding("GO-2", List.of(), "example.com/m", "v1.0.0", null, "b");
    List<Finding> both = List.of(unfixable, fixable);
    assertEquals(FailOn.FIXABLE, FailOn.DEFAULT);
    assertEquals(List.of(), FailOn.NONE.verdict(both));
    assertEquals(List.of(fixable, unfixable), FailOn.ANY.verdict(both));
    assertEquals(List.of(fixable), FailOn.FIXABLE.verdict(both));
    assertEquals(List.of(), FailOn.FIXABLE.verdict(List.of(unfixable)));
    assertEquals(FailOn.ANY, FailOn.parse(" any "));
    assertEquals(FailOn.FIXABLE, FailOn.parse(null));
    assertEquals(
        "'sometimes' is not a failOn value; use one of none, any, fixable",
        assertThrows(IllegalArgumentException.class, () -> FailOn.parse("sometimes")).getMessage());
  }

  @Test
  void failOnTreatsAnUnknownStdlibAsFailingUnlessNone() {
    ScanResult unknown = scan("devel go1.27-abc", "linux");
    assertTrue(FailOn.FIXABLE.verdict(unknown).failed());
    assertTrue(FailOn.ANY.verdict(unknown).stdlibUnknown());
    assertFalse(FailOn.NONE.verdict(unknown).failed());
    FailOn.Verdict clean = FailOn.FIXABLE.verdict(scan("go1.26.8", "linux"));
    assertFalse(clean.failed());
    FailOn.Verdict old = FailOn.FIXABLE.verdict(scan("go1.21.13", "linux"));
    assertTrue(old.failed());
    assertEquals(6, old.offending().size());
  }
}
