package dev.rebuild.core.verify;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.GoBuildInfoModelTest.Recorded;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.buildinfo.Setting;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.verify.BuildComparison.Difference;
import dev.rebuild.core.verify.BuildComparison.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "Equal to the original but for Go", judged on build information real toolchains wrote ({@code
 * src/test/resources/buildinfo-matrix}, see its README): module {@code example.com/demo}, tag
 * {@code v1.0.0} at {@code bad0f86}, built with go1.17.13 to go1.27.4 for five platforms, and
 * variants built with a changed recipe or from another commit.
 */
class BuildComparisonTest {

  private static final Map<String, BuildInfo> TAGGED = Recorded.load("tagged.txt");
  private static final Map<String, BuildInfo> VARIANTS = Recorded.load("variants.txt");

  private static final List<String> ORIGINAL_GOS =
      List.of(
          "1.17.13", "1.18.10", "1.19.13", "1.20.14", "1.21.13", "1.22.12", "1.23.12", "1.24.13",
          "1.25.14", "1.26.11");
  private static final List<String> PLATFORMS =
      List.of("linux/amd64", "linux/arm64", "linux/arm", "windows/amd64", "darwin/arm64");
  private static final List<String> REBUILD_GOS = List.of("1.27.4", "1.26.11");

  private static final String UUID = "github.com/google/uuid";

  private static BuildInfo tagged(String go, String platform) {
    BuildInfo info = TAGGED.get(go + "-" + platform.replace('/', '-'));
    if (info == null) {
      fail("no recorded build for " + go + " " + platform);
    }
    return info;
  }

  private static BuildInfo variant(String name) {
    BuildInfo info = VARIANTS.get(name);
    if (info == null) {
      fail("no recorded variant " + name);
    }
    return info;
  }

  private static Difference find(BuildComparison c, String field) {
    return c.differences().stream().filter(d -> d.field().equals(field)).findFirst().orElse(null);
  }

  private static Set<String> fields(List<Difference> differences) {
    return differences.stream()
        .map(Difference::field)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void assertFailure(BuildComparison c, String field) {
    Difference d = find(c, field);
    assertNotNull(d, field + " is not reported: " + c.summary());
    assertEquals(Kind.FAILURE, d.kind(), d.describe());
    assertFalse(c.equalButForGo(), c.summary());
    assertTrue(c.summary().contains(field), c.summary());
  }

  private static BuildInfo withDependency(BuildInfo info, String path, String version, String sum) {
    List<Module> deps = new ArrayList<>();
    for (Module m : info.deps()) {
      deps.add(m.path().equals(path) ? new Module(path, version, sum, null) : m);
    }
    return new BuildInfo(info.goVersion(), info.path(), info.main(), deps, info.settings());
  }

  private static BuildInfo withSetting(BuildInfo info, String key, String value) {
    List<Setting> settings = new ArrayList<>();
    for (Setting s : info.settings()) {
      settings.add(s.key().equals(key) ? new Setting(key, value) : s);
    }
    return new BuildInfo(info.goVersion(), info.path(), info.main(), info.deps(), settings);
  }

  static Stream<Arguments> originalsAndRebuilds() {
    List<Arguments> out = new ArrayList<>();
    for (String rebuildGo : REBUILD_GOS) {
      for (String go : ORIGINAL_GOS) {
        for (String platform : PLATFORMS) {
          out.add(Arguments.of(go, platform, rebuildGo));
        }
      }
    }
    return out.stream();
  }

  /**
   * The release of a v1.0.0 built with any Go from 1.17 to 1.26, rebuilt with go1.27.4 or go1.26.11
   * from the same recipe: equal but for Go, and each difference says which Go explains it.
   */
  @ParameterizedTest(name = "go{0} {1} rebuilt with go{2}")
  @MethodSource("originalsAndRebuilds")
  void sameRecipeWithANewerGoIsEqualButForGo(String go, String platform, String rebuildGo) {
    BuildInfo original = tagged(go, platform);
    BuildInfo rebuilt = tagged(rebuildGo, platform);
    BuildComparison c = BuildComparison.of(original, rebuilt);
    GoVersion og = GoVersion.parse(go);
    GoVersion rg = GoVersion.parse(rebuildGo);

    Set<String> expected = new TreeSet<>();
    if (og.minor() < 24) {
      expected.add("main module");
    }
    if (og.minor() >= 18) {
      if (og.minor() < 20) {
        expected.add("setting -buildmode");
      }
      if (og.minor() == 18) {
        expected.add("setting -trimpath");
      }
      if (!Objects.equals(original.setting("DefaultGODEBUG"), rebuilt.setting("DefaultGODEBUG"))) {
        expected.add("setting DefaultGODEBUG");
      }
      if (platform.endsWith("/arm64") && og.minor() < 23) {
        expected.add("setting GOARM64");
      }
    }

    List<Executable> checks = new ArrayList<>();
    checks.add(() -> assertTrue(c.equalButForGo(), c.summary()));
    checks.add(() -> assertEquals(expected, fields(c.differences()), c.summary()));
    checks.add(
        () ->
            assertEquals(og.line().equals("1.18") ? 1 : 0, c.of(Kind.UNKNOWN).size(), c.summary()));
    checks.add(() -> assertEquals(original.goVersion(), c.originalGo()));
    checks.add(() -> assertEquals(rebuilt.goVersion(), c.rebuiltGo()));
    Difference main = find(c, "main module");
    if (main != null) {
      checks.add(() -> assertEquals(Kind.EXPECTED, main.kind(), main.describe()));
      checks.add(() -> assertEquals("example.com/demo@(devel)", main.original()));
      checks.add(() -> assertEquals("example.com/demo@v1.0.0", main.rebuilt()));
      checks.add(() -> assertTrue(main.reason().contains("go1.24"), main.describe()));
    }
    Difference buildmode = find(c, "setting -buildmode");
    if (buildmode != null) {
      checks.add(() -> assertEquals(Kind.EXPECTED, buildmode.kind(), buildmode.describe()));
      checks.add(() -> assertNull(buildmode.original()));
      checks.add(() -> assertEquals("exe", buildmode.rebuilt()));
      checks.add(() -> assertTrue(buildmode.reason().contains("go1.20"), buildmode.describe()));
    }
    Difference godebug = find(c, "setting DefaultGODEBUG");
    if (godebug != null) {
      checks.add(() -> assertEquals(Kind.EXPECTED, godebug.kind(), godebug.describe()));
      checks.add(() -> assertTrue(godebug.reason().contains(rg.toString()), godebug.describe()));
    }
    Difference goarm64 = find(c, "setting GOARM64");
    if (goarm64 != null) {
      checks.add(() -> assertEquals(Kind.EXPECTED, goarm64.kind(), goarm64.describe()));
      checks.add(
          () ->
              assertTrue(
                  goarm64
                      .describe()
                      .startsWith("setting GOARM64: absent -> v8.0 (expected with go1.23"),
                  goarm64.describe()));
    }
    Difference trimpath = find(c, "setting -trimpath");
    if (og.line().equals("1.18")) {
      // go1.18 does not record -trimpath: unknown, not absent.
      checks.add(() -> assertNotNull(trimpath, c.summary()));
      checks.add(() -> assertEquals(Kind.UNKNOWN, trimpath.kind(), trimpath.describe()));
      checks.add(() -> assertEquals(BuildComparison.NOT_RECORDED, trimpath.original()));
    }
    if (og.minor() < 18) {
      checks.add(() -> assertNotNull(c.notComparable(), c.summary()));
      checks.add(() -> assertTrue(c.notComparable().contains("go1.17"), c.notComparable()));
      checks.add(() -> assertTrue(c.summary().contains(c.notComparable()), c.summary()));
    } else {
      checks.add(() -> assertNull(c.notComparable(), c.notComparable()));
    }
    assertAll(checks);
  }

  @Test
  void identicalBuildsSayEqualButForTheGoVersion() {
    BuildComparison c =
        BuildComparison.of(tagged("1.26.11", "linux/amd64"), tagged("1.26.11", "linux/amd64"));
    assertEquals(List.of(), c.differences());
    assertTrue(c.equalButForGo());
    assertEquals("equal but for the Go version (go1.26.11 -> go1.26.11)", c.summary());
  }

  static Stream<String> originalGos() {
    return ORIGINAL_GOS.stream();
  }

  static Stream<String> originalGosWithSettings() {
    return ORIGINAL_GOS.stream().filter(v -> !v.startsWith("1.17."));
  }

  static Stream<String> originalGosWithTrimpath() {
    return ORIGINAL_GOS.stream().filter(v -> GoVersion.parse(v).minor() >= 19);
  }

  @ParameterizedTest(name = "go{0} original, rebuild with -ldflags changed")
  @MethodSource("originalGosWithSettings")
  void changedLdflagsIsAFailure(String go) {
    BuildComparison c =
        BuildComparison.of(tagged(go, "linux/amd64"), variant("ldflagsX-1.27.4-linux-amd64"));
    assertFailure(c, "setting -ldflags");
    Difference d = find(c, "setting -ldflags");
    assertEquals("-s -w", d.original());
    assertEquals("-s -w -X main.version=1.0.0", d.rebuilt());
  }

  @ParameterizedTest(name = "go{0} original, rebuild with -tags")
  @MethodSource("originalGosWithSettings")
  void addedTagsIsAFailure(String go) {
    BuildComparison c =
        BuildComparison.of(tagged(go, "linux/amd64"), variant("tags-1.27.4-linux-amd64"));
    assertFailure(c, "setting -tags");
    assertEquals(Set.of("setting -tags"), fields(c.of(Kind.FAILURE)), c.summary());
  }

  @ParameterizedTest(name = "go{0} original, rebuild with -trimpath")
  @MethodSource("originalGosWithTrimpath")
  void addedTrimpathIsAFailure(String go) {
    BuildComparison c =
        BuildComparison.of(tagged(go, "linux/amd64"), variant("trimpath-1.27.4-linux-amd64"));
    assertFailure(c, "setting -trimpath");
    assertEquals("true", find(c, "setting -trimpath").rebuilt());
  }

  @Test
  void trimpathRebuildOfAGo118OriginalThatRecordedLdflagsIsAFailure() {
    // go1.18.10 drops -ldflags under -trimpath, so an original recording -ldflags was built
    // without -trimpath.
    BuildComparison c =
        BuildComparison.of(
            tagged("1.18.10", "linux/amd64"), variant("trimpath-1.27.4-linux-amd64"));
    assertFailure(c, "setting -ldflags");
  }

  @ParameterizedTest(name = "go{0} original, rebuild with CGO_ENABLED=1")
  @MethodSource("originalGosWithSettings")
  void cgoEnabledIsAFailureAndItsFlagsFollowFromIt(String go) {
    BuildComparison c =
        BuildComparison.of(tagged(go, "linux/amd64"), variant("cgo-1.27.4-linux-amd64"));
    assertFailure(c, "setting CGO_ENABLED");
    Difference d = find(c, "setting CGO_ENABLED");
    assertEquals("0", d.original());
    assertEquals("1", d.rebuilt());
    for (String flag : List.of("CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS")) {
      assertNull(find(c, "setting " + flag), c.summary());
    }
  }

  @ParameterizedTest(name = "go{0} original, rebuild with GOAMD64=v3")
  @MethodSource("originalGosWithSettings")
  void goamd64LevelIsAFailure(String go) {
    BuildComparison c =
        BuildComparison.of(tagged(go, "linux/amd64"), variant("goamd64v3-1.27.4-linux-amd64"));
    assertFailure(c, "setting GOAMD64");
    Difference d = find(c, "setting GOAMD64");
    assertEquals("v1", d.original());
    assertEquals("v3", d.rebuilt());
  }

  @Test
  void goarm64LevelAGo122OriginalCouldNotHaveHadIsAFailure() {
    // Synthetic: the go1.27.4 rebuild's GOARM64 changed from the recorded v8.0 to v8.2.
    BuildInfo rebuilt = withSetting(tagged("1.27.4", "linux/arm64"), "GOARM64", "v8.2");
    BuildComparison c = BuildComparison.of(tagged("1.22.12", "linux/arm64"), rebuilt);
    assertFailure(c, "setting GOARM64");
    assertTrue(find(c, "setting GOARM64").reason().contains("v8.0"), c.summary());
  }

  /** Not built by a toolchain: {@code uuid v1.6.0} is not in the offline module cache. */
  @ParameterizedTest(name = "go{0} original, rebuild with uuid v1.6.0")
  @MethodSource("originalGos")
  void changedDependencyIsAFailureForEveryGo(String go) {
    for (String platform : PLATFORMS) {
      BuildInfo rebuilt =
          withDependency(
              tagged("1.27.4", platform),
              UUID,
              "v1.6.0",
              "h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=");
      BuildComparison c = BuildComparison.of(tagged(go, platform), rebuilt);
      assertFailure(c, "dependency " + UUID);
      Difference d = find(c, "dependency " + UUID);
      assertTrue(d.original().startsWith("v1.5.0"), d.describe());
      assertTrue(d.rebuilt().startsWith("v1.6.0"), d.describe());
      assertEquals(Set.of("dependency " + UUID), fields(c.of(Kind.FAILURE)), c.summary());
    }
  }

  @Test
  void go117OriginalStillComparesDependenciesAndSaysWhatItCannotCompare() {
    BuildComparison c =
        BuildComparison.of(
            tagged("1.17.13", "linux/amd64"), variant("ldflagsX-1.27.4-linux-amd64"));
    // The settings are not compared, and the user is told so.
    assertTrue(c.equalButForGo(), c.summary());
    assertNotNull(c.notComparable());
    assertTrue(c.notComparable().contains("go1.17.13"), c.notComparable());
    assertTrue(c.notComparable().contains("1.18"), c.notComparable());
    assertTrue(c.summary().contains("not comparable"), c.summary());
  }

  @Test
  void go120DefaultGoarm5RebuiltWithGo121DefaultGoarm7IsAFailureNamingTheVariant() {
    BuildInfo original = variant("goarm-unset-1.20.14-linux-arm");
    BuildComparison c = BuildComparison.of(original, tagged("1.27.4", "linux/arm"));
    assertFailure(c, "setting GOARM");
    Difference d = find(c, "setting GOARM");
    assertEquals("5", d.original());
    assertEquals("7", d.rebuilt());
    assertTrue(d.reason().contains("linux/arm/5"), d.describe());
    assertEquals(Set.of("setting GOARM"), fields(c.of(Kind.FAILURE)), c.summary());
    assertTrue(c.summary().startsWith("setting GOARM: 5 -> 7 ("), c.summary());
  }

  @Test
  void go120Goarm5RebuiltWithGoarm5IsEqualButForGo() {
    BuildComparison c =
        BuildComparison.of(
            variant("goarm-unset-1.20.14-linux-arm"), variant("goarm5-1.27.4-linux-arm"));
    assertTrue(c.equalButForGo(), c.summary());
    assertNull(find(c, "setting GOARM"), c.summary());
  }

  @Test
  void go121DefaultGoarm7RebuiltWithGo127IsEqualButForGo() {
    BuildComparison c =
        BuildComparison.of(variant("goarm-unset-1.21.13-linux-arm"), tagged("1.27.4", "linux/arm"));
    assertTrue(c.equalButForGo(), c.summary());
    assertNull(find(c, "setting GOARM"), c.summary());
  }

  @Test
  void explicitGoarm7RebuiltWithGoarm5IsAFailure() {
    BuildComparison c =
        BuildComparison.of(tagged("1.20.14", "linux/arm"), variant("goarm5-1.27.4-linux-arm"));
    assertFailure(c, "setting GOARM");
  }

  /** The wrong platform rebuilt: the original records GOARM, the rebuild does not. */
  @ParameterizedTest(name = "{0} rebuilt for linux/amd64")
  @MethodSource("armOriginals")
  void armOriginalComparedWithAnAmd64RebuildIsAFailureNotACrash(String name, BuildInfo original) {
    BuildComparison c = BuildComparison.of(original, tagged("1.27.4", "linux/amd64"));
    assertFailure(c, "setting GOARCH");
    assertFailure(c, "setting GOARM");
    assertFailure(c, "setting GOAMD64");
  }

  static Stream<Arguments> armOriginals() {
    return Stream.of(
        Arguments.of("go1.20.14 GOARM=5", variant("goarm-unset-1.20.14-linux-arm")),
        Arguments.of("go1.20.14 GOARM=7", tagged("1.20.14", "linux/arm")),
        Arguments.of("go1.21.13 GOARM=7", variant("goarm-unset-1.21.13-linux-arm")),
        Arguments.of("go1.27.4 GOARM=7", tagged("1.27.4", "linux/arm")));
  }

  @Test
  void pseudoVersionOfTheTaggedCommitBuiltBeforeTheTagIsExpected() {
    BuildInfo original = variant("pretag-1.24.13-linux-amd64");
    assertEquals("v0.0.0-20240301120000-bad0f8622649", original.main().version());
    BuildComparison c = BuildComparison.of(original, tagged("1.27.4", "linux/amd64"));
    assertTrue(c.equalButForGo(), c.summary());
    Difference d = find(c, "main module");
    assertEquals(Kind.EXPECTED, d.kind(), d.describe());
    assertEquals("example.com/demo@v0.0.0-20240301120000-bad0f8622649", d.original());
    assertEquals("example.com/demo@v1.0.0", d.rebuilt());
    assertTrue(d.reason().contains("bad0f8622649"), d.describe());
    assertTrue(d.reason().contains("before its tag"), d.describe());
  }

  @Test
  void develBuiltBeforeTheTagIsExpected() {
    BuildComparison c =
        BuildComparison.of(variant("pretag-1.22.12-linux-amd64"), tagged("1.27.4", "linux/amd64"));
    assertTrue(c.equalButForGo(), c.summary());
    assertEquals(Kind.EXPECTED, find(c, "main module").kind());
    assertTrue(find(c, "main module").reason().contains("go1.24"), c.summary());
  }

  @Test
  void taggedOriginalRebuiltFromAnotherCommitIsAFailureOnTheMainModule() {
    // v1.0.0 is bad0f86; the rebuild is 22aabd5, which Go stamps with a pseudo-version.
    BuildComparison c =
        BuildComparison.of(
            tagged("1.24.13", "linux/amd64"), variant("untagged-1.27.4-linux-amd64"));
    assertFailure(c, "setting vcs.revision");
    assertFailure(c, "main module");
  }

  @Test
  void pseudoVersionOriginalRebuiltAtTheTagOfAnotherCommitIsAFailureOnTheMainModule() {
    BuildComparison c =
        BuildComparison.of(
            variant("untagged-1.24.13-linux-amd64"), tagged("1.27.4", "linux/amd64"));
    assertFailure(c, "main module");
    assertTrue(find(c, "main module").reason().contains("different commits"), c.summary());
    assertFailure(c, "setting vcs.revision");
  }

  @Test
  void pseudoVersionsOfDifferentCommitsAreAFailureOnTheMainModule() {
    BuildComparison c =
        BuildComparison.of(
            variant("pretag-1.24.13-linux-amd64"), variant("untagged-1.27.4-linux-amd64"));
    assertFailure(c, "main module");
    assertFailure(c, "setting vcs.revision");
    assertFailure(c, "setting vcs.time");
  }

  @Test
  void develOriginalRebuiltFromAnotherCommitIsAFailure() {
    BuildComparison c =
        BuildComparison.of(
            tagged("1.22.12", "linux/amd64"), variant("untagged-1.27.4-linux-amd64"));
    assertFailure(c, "setting vcs.revision");
  }

  @Test
  void sameCommitPseudoVersionWithANewerGoIsEqualButForGo() {
    BuildComparison c =
        BuildComparison.of(
            variant("untagged-1.24.13-linux-amd64"), variant("untagged-1.27.4-linux-amd64"));
    assertTrue(c.equalButForGo(), c.summary());
    assertNull(find(c, "main module"), c.summary());
  }

  @Test
  void dirtyRebuildOfATaggedOriginalIsAFailure() {
    BuildComparison c =
        BuildComparison.of(
            tagged("1.24.13", "linux/amd64"), variant("dirty-tag-1.27.4-linux-amd64"));
    assertFailure(c, "main module");
    assertEquals("example.com/demo@v1.0.0+dirty", find(c, "main module").rebuilt());
    assertTrue(find(c, "main module").reason().contains("modified"), c.summary());
    assertFailure(c, "setting vcs.modified");
  }

  @Test
  void dirtyRebuildOfADevelOriginalIsAFailure() {
    BuildComparison c =
        BuildComparison.of(
            tagged("1.22.12", "linux/amd64"), variant("dirty-tag-1.27.4-linux-amd64"));
    assertFailure(c, "main module");
    assertFailure(c, "setting vcs.modified");
  }

  @Test
  void dirtyPseudoVersionRebuildOfTheSameCommitIsAFailure() {
    BuildComparison c =
        BuildComparison.of(
            variant("untagged-1.24.13-linux-amd64"), variant("dirty-1.27.4-linux-amd64"));
    assertFailure(c, "main module");
    assertEquals(
        "example.com/demo@v1.0.1-0.20261130114224-22aabd5ddf0e+dirty",
        find(c, "main module").rebuilt());
    assertTrue(find(c, "main module").reason().contains("modified"), c.summary());
  }

  @Test
  void go118TrimpathOriginalRebuiltWithTrimpathIsEqualButForGo() {
    // go1.18.10 records neither -trimpath nor -ldflags for a -trimpath build.
    BuildComparison c =
        BuildComparison.of(variant("b-trim-1.18.10"), variant("trim-1.27.4-linux-amd64"));
    assertTrue(c.equalButForGo(), c.summary());
    Difference trimpath = find(c, "setting -trimpath");
    assertEquals(Kind.UNKNOWN, trimpath.kind(), trimpath.describe());
    assertTrue(trimpath.reason().contains("go1.18.10"), trimpath.describe());
  }

  @Test
  void go119TrimpathOriginalRebuiltWithTrimpathIsEqualButForGo() {
    BuildComparison c =
        BuildComparison.of(variant("b-trim-1.19.13"), variant("trim-1.27.4-linux-amd64"));
    assertTrue(c.equalButForGo(), c.summary());
    assertNull(find(c, "setting -trimpath"), c.summary());
    assertNull(find(c, "setting -ldflags"), c.summary());
  }

  @Test
  void sameGoWithADifferentDefaultGodebugIsAFailure() {
    BuildInfo original = tagged("1.26.11", "linux/amd64");
    BuildInfo rebuilt =
        withSetting(
            original, "DefaultGODEBUG", original.setting("DefaultGODEBUG") + ",tlsrsakex=0");
    BuildComparison c = BuildComparison.of(original, rebuilt);
    assertFailure(c, "setting DefaultGODEBUG");
  }

  @Test
  void differentMainPackageIsAFailure() {
    BuildInfo original = tagged("1.27.4", "linux/amd64");
    BuildInfo rebuilt =
        new BuildInfo(
            original.goVersion(),
            "example.com/demo/cmd/other",
            original.main(),
            original.deps(),
            original.settings());
    assertFailure(BuildComparison.of(original, rebuilt), "main package");
  }
}
