package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.buildinfo.GoBuildInfoModel.ModuleVersion;
import dev.rebuild.core.model.GoVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What {@link GoBuildInfoModel} says each Go release writes, checked against the build information
 * real toolchains (go1.17.13 to go1.27.4) wrote into real binaries ({@code
 * src/test/resources/buildinfo-matrix}, see its README).
 */
public class GoBuildInfoModelTest {

  /**
   * The build information recorded from real toolchains in {@code buildinfo-matrix/<file>}: the
   * output of {@code go version -m}, parsed with {@link ModInfoParser} as {@link BuildInfoReader}
   * does. Public for {@code BuildComparisonTest}.
   */
  public static final class Recorded {
    private Recorded() {}

    /**
     * The binaries of {@code buildinfo-matrix/<file>} by file name ({@code 1.22.12-linux-arm64},
     * {@code b-trim-1.19.13}), in the file's order.
     */
    public static Map<String, BuildInfo> load(String file) {
      String text;
      try (InputStream in =
          GoBuildInfoModelTest.class.getResourceAsStream("/buildinfo-matrix/" + file)) {
        if (in == null) {
          throw new IllegalStateException("no test resource buildinfo-matrix/" + file);
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, BuildInfo> out = new LinkedHashMap<>();
      String name = null;
      String goVersion = null;
      StringBuilder modinfo = new StringBuilder();
      for (String line : (text + "\n<end>: ").split("\n", -1)) {
        if (line.startsWith("\t")) {
          modinfo.append(line, 1, line.length()).append('\n');
          continue;
        }
        if (line.isEmpty()) {
          continue;
        }
        if (name != null) {
          try {
            out.put(name, ModInfoParser.parse(goVersion, modinfo.toString()));
          } catch (ModInfoParser.ParseException e) {
            throw new IllegalStateException(file + ": " + name + ": " + e.getMessage(), e);
          }
        }
        // "/tmp/exp/out-tagged/1.22.12-linux-arm64: go1.22.12"
        int colon = line.lastIndexOf(": ");
        if (colon < 0) {
          throw new IllegalStateException(file + ": not a go version -m header: " + line);
        }
        name = line.substring(line.lastIndexOf('/', colon) + 1, colon);
        goVersion = line.substring(colon + 2);
        modinfo.setLength(0);
      }
      return out;
    }
  }

  private static final Map<String, BuildInfo> TAGGED = Recorded.load("tagged.txt");
  private static final Map<String, BuildInfo> VARIANTS = Recorded.load("variants.txt");

  private static GoVersion go(String v) {
    return GoVersion.parse(v);
  }

  @Test
  void theRecordingsHoldEveryToolchainAndPlatform() {
    assertEquals(55, TAGGED.size(), TAGGED.keySet().toString());
    assertEquals("go1.22.12", TAGGED.get("1.22.12-linux-arm64").goVersion());
    assertEquals("example.com/demo/cmd/hello", TAGGED.get("1.17.13-linux-amd64").path());
    assertEquals("-s -w", TAGGED.get("1.27.4-darwin-arm64").setting("-ldflags"));
    assertTrue(VARIANTS.containsKey("goarm-unset-1.20.14-linux-arm"));
    assertTrue(VARIANTS.containsKey("b-trim-1.18.10"));
  }

  @Test
  void buildSettingsStartWithGo118() {
    assertFalse(GoBuildInfoModel.recordsSettings(go("1.17.13")));
    assertTrue(GoBuildInfoModel.recordsSettings(go("1.18")));
    assertTrue(GoBuildInfoModel.recordsSettings(go("1.27.4")));
    // A release without settings records none of them, not even GOOS.
    assertFalse(GoBuildInfoModel.records(go("1.17.13"), "GOOS"));
    assertFalse(GoBuildInfoModel.records(go("1.17.13"), "-ldflags"));
    assertTrue(GoBuildInfoModel.records(go("1.18.10"), "GOOS"));
    assertTrue(GoBuildInfoModel.records(go("1.18.10"), "-ldflags"));
  }

  @Test
  void firstReleaseRecordingEachSetting() {
    assertAll(
        () -> assertFalse(GoBuildInfoModel.records(go("1.18.10"), "-trimpath")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.19"), "-trimpath")),
        () -> assertFalse(GoBuildInfoModel.records(go("1.19.13"), "-buildmode")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.20"), "-buildmode")),
        () -> assertFalse(GoBuildInfoModel.records(go("1.20.14"), "DefaultGODEBUG")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.21.0"), "DefaultGODEBUG")),
        () -> assertFalse(GoBuildInfoModel.records(go("1.22.12"), "GOARM64")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.23.0"), "GOARM64")),
        () -> assertFalse(GoBuildInfoModel.records(go("1.22.12"), "GORISCV64")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.23.0"), "GORISCV64")),
        () -> assertFalse(GoBuildInfoModel.records(go("1.23.12"), "GOFIPS140")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.24.0"), "GOFIPS140")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.18.10"), "GOAMD64")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.18.10"), "GOARM")),
        () -> assertTrue(GoBuildInfoModel.records(go("1.18.10"), "-tags")));
  }

  @Test
  void architectureVariables() {
    assertEquals(Optional.of("GOAMD64"), GoBuildInfoModel.archVariable(go("1.18.10"), "amd64"));
    assertEquals(Optional.of("GOARM"), GoBuildInfoModel.archVariable(go("1.18.10"), "arm"));
    assertEquals(Optional.empty(), GoBuildInfoModel.archVariable(go("1.22.12"), "arm64"));
    assertEquals(Optional.of("GOARM64"), GoBuildInfoModel.archVariable(go("1.23.12"), "arm64"));
    assertEquals(Optional.empty(), GoBuildInfoModel.archVariable(go("1.17.13"), "amd64"));
    assertEquals(Optional.empty(), GoBuildInfoModel.archVariable(go("1.27.4"), "s390x"));
    assertEquals(Optional.empty(), GoBuildInfoModel.archVariable(go("1.27.4"), null));
  }

  @Test
  void architectureDefaults() {
    assertEquals(Optional.of("5"), GoBuildInfoModel.archDefault(go("1.20.14"), "GOARM"));
    assertEquals(Optional.of("7"), GoBuildInfoModel.archDefault(go("1.21.0"), "GOARM"));
    assertEquals(Optional.of("7"), GoBuildInfoModel.archDefault(go("1.27.4"), "GOARM"));
    assertEquals(Optional.of("v1"), GoBuildInfoModel.archDefault(go("1.18.10"), "GOAMD64"));
    assertEquals(Optional.of("v8.0"), GoBuildInfoModel.archDefault(go("1.23.12"), "GOARM64"));
    assertEquals(Optional.empty(), GoBuildInfoModel.archDefault(go("1.27.4"), "-ldflags"));
    assertEquals(Optional.of("exe"), GoBuildInfoModel.implicitValue(go("1.20.14"), "-buildmode"));
    assertEquals(Optional.of("gc"), GoBuildInfoModel.implicitValue(go("1.18.10"), "-compiler"));
    assertEquals(Optional.of("v8.0"), GoBuildInfoModel.implicitValue(go("1.27.4"), "GOARM64"));
  }

  @Test
  void goArmDefaultsMatchWhatGo120AndGo121RecordWithoutGoarm() {
    BuildInfo go120 = VARIANTS.get("goarm-unset-1.20.14-linux-arm");
    BuildInfo go121 = VARIANTS.get("goarm-unset-1.21.13-linux-arm");
    assertEquals("5", go120.setting("GOARM"));
    assertEquals("7", go121.setting("GOARM"));
    assertEquals(
        Optional.of(go120.setting("GOARM")),
        GoBuildInfoModel.archDefault(go120.parsedGoVersion(), "GOARM"));
    assertEquals(
        Optional.of(go121.setting("GOARM")),
        GoBuildInfoModel.archDefault(go121.parsedGoVersion(), "GOARM"));
  }

  /**
   * For every recorded binary: each setting it carries is one the model says its Go records, and
   * each setting the model says Go always records (build mode, architecture variable, GODEBUG
   * defaults, main module version) is there with the value the model predicts.
   */
  @Test
  void modelAgreesWithEveryRecordedBinary() {
    List<Executable> checks = new ArrayList<>();
    Map<String, BuildInfo> all = new LinkedHashMap<>(TAGGED);
    all.putAll(VARIANTS);
    all.forEach(
        (name, info) -> {
          GoVersion go = info.parsedGoVersion();
          checks.add(() -> assertNotNull(go, name));
          if (!GoBuildInfoModel.recordsSettings(go)) {
            checks.add(() -> assertEquals(List.of(), info.settings(), name));
            return;
          }
          for (Setting s : info.settings()) {
            checks.add(
                () ->
                    assertTrue(
                        GoBuildInfoModel.records(go, s.key()),
                        name + " records " + s.key() + " though the model says " + go + " can't"));
          }
          checks.add(
              () ->
                  assertEquals(
                      GoBuildInfoModel.records(go, "-buildmode")
                          ? GoBuildInfoModel.implicitValue(go, "-buildmode").orElseThrow()
                          : null,
                      info.setting("-buildmode"),
                      name + " -buildmode"));
          checks.add(
              () ->
                  assertEquals(
                      GoBuildInfoModel.records(go, "DefaultGODEBUG"),
                      info.setting("DefaultGODEBUG") != null,
                      name + " DefaultGODEBUG"));
          Optional<String> archVar = GoBuildInfoModel.archVariable(go, info.goarch());
          for (String key : List.of("GOAMD64", "GOARM", "GOARM64")) {
            checks.add(
                () ->
                    assertEquals(
                        archVar.equals(Optional.of(key)),
                        info.setting(key) != null,
                        name + " " + key + " for " + info.goarch()));
          }
          // Every binary here but goamd64v3-* built for the default amd64 and arm64 levels.
          if (archVar.isPresent()
              && !archVar.get().equals("GOARM")
              && !name.startsWith("goamd64v3-")) {
            checks.add(
                () ->
                    assertEquals(
                        GoBuildInfoModel.archDefault(go, archVar.get()).orElseThrow(),
                        info.setting(archVar.get()),
                        name + " " + archVar.get()));
          }
          ModuleVersion mv = GoBuildInfoModel.moduleVersion(info.main().version());
          checks.add(
              () ->
                  assertEquals(
                      GoBuildInfoModel.stampsModuleVersion(go),
                      !(mv instanceof ModuleVersion.Devel),
                      name + " main module " + info.main().version()));
          if (mv instanceof ModuleVersion.Pseudo p) {
            checks.add(
                () ->
                    assertTrue(
                        p.names(
                            info.setting("vcs.revision"),
                            GoBuildInfoModel.pseudoTime(info.setting("vcs.time"))),
                        name + " " + p));
          }
          if (mv instanceof ModuleVersion.Pseudo || mv instanceof ModuleVersion.Tagged) {
            boolean dirty =
                mv instanceof ModuleVersion.Pseudo p
                    ? p.dirty()
                    : ((ModuleVersion.Tagged) mv).dirty();
            checks.add(
                () ->
                    assertEquals(
                        "true".equals(info.setting("vcs.modified")), dirty, name + " dirty"));
          }
          if ("true".equals(info.setting("-trimpath"))) {
            for (Setting s : info.settings()) {
              checks.add(
                  () ->
                      assertFalse(
                          GoBuildInfoModel.hiddenByTrimpath(s.key()),
                          name + " is -trimpath yet records " + s.key()));
            }
          }
        });
    assertAll(checks);
  }

  @Test
  void go1_17RecordsNoSettingsAndGo1_18RecordsThem() {
    for (String platform : List.of("linux-amd64", "linux-arm64", "linux-arm", "windows-amd64")) {
      assertEquals(List.of(), TAGGED.get("1.17.13-" + platform).settings(), platform);
      assertEquals(
          "github.com/google/uuid", TAGGED.get("1.17.13-" + platform).deps().get(0).path());
      assertNotNull(TAGGED.get("1.18.10-" + platform).setting("GOOS"), platform);
    }
  }

  @Test
  void trimpathIsRecordedFromGo119AndHidesLdflags() {
    BuildInfo go118 = VARIANTS.get("b-trim-1.18.10");
    BuildInfo go119 = VARIANTS.get("b-trim-1.19.13");
    assertNull(go118.setting("-trimpath"));
    assertNull(go118.setting("-ldflags"));
    assertEquals("true", go119.setting("-trimpath"));
    assertNull(go119.setting("-ldflags"));
    assertNull(VARIANTS.get("trimpath-1.27.4-linux-amd64").setting("-ldflags"));
    assertTrue(GoBuildInfoModel.hiddenByTrimpath("-ldflags"));
    assertTrue(GoBuildInfoModel.hiddenByTrimpath("CGO_LDFLAGS"));
    assertFalse(GoBuildInfoModel.hiddenByTrimpath("CGO_ENABLED"));
    assertFalse(GoBuildInfoModel.hiddenByTrimpath("-tags"));
    assertTrue(GoBuildInfoModel.isCgoFlag("CGO_CFLAGS"));
    assertFalse(GoBuildInfoModel.isCgoFlag("CGO_ENABLED"));
  }

  @Test
  void onlyDefaultGodebugIsDerivedFromTheGoVersion() {
    assertTrue(GoBuildInfoModel.derivedFromGoVersion("DefaultGODEBUG"));
    assertFalse(GoBuildInfoModel.derivedFromGoVersion("-ldflags"));
    assertFalse(GoBuildInfoModel.derivedFromGoVersion("GOARM"));
  }

  @Test
  void mainModuleVersionIsStampedFromGo124() {
    assertFalse(GoBuildInfoModel.stampsModuleVersion(go("1.23.12")));
    assertTrue(GoBuildInfoModel.stampsModuleVersion(go("1.24.0")));
    assertEquals("(devel)", TAGGED.get("1.23.12-linux-amd64").main().version());
    assertEquals("v1.0.0", TAGGED.get("1.24.13-linux-amd64").main().version());
  }

  @Test
  void pseudoVersionForms() {
    assertEquals(
        new ModuleVersion.Pseudo(
            "v0.0.0-20240301120000-abcdef123456", "20240301120000", "abcdef123456", false),
        GoBuildInfoModel.moduleVersion("v0.0.0-20240301120000-abcdef123456"));
    assertEquals(
        new ModuleVersion.Pseudo(
            "v1.0.1-0.20240301120000-abcdef123456", "20240301120000", "abcdef123456", false),
        GoBuildInfoModel.moduleVersion("v1.0.1-0.20240301120000-abcdef123456"));
    assertEquals(
        new ModuleVersion.Pseudo(
            "v1.2.3-pre.0.20240301120000-abcdef123456", "20240301120000", "abcdef123456", false),
        GoBuildInfoModel.moduleVersion("v1.2.3-pre.0.20240301120000-abcdef123456"));
    assertEquals(
        new ModuleVersion.Pseudo(
            "v1.0.1-0.20240301120000-abcdef123456+dirty", "20240301120000", "abcdef123456", true),
        GoBuildInfoModel.moduleVersion("v1.0.1-0.20240301120000-abcdef123456+dirty"));
    assertEquals(
        new ModuleVersion.Pseudo(
            "v2.0.0-20240301120000-abcdef123456+incompatible",
            "20240301120000",
            "abcdef123456",
            false),
        GoBuildInfoModel.moduleVersion("v2.0.0-20240301120000-abcdef123456+incompatible"));
    assertEquals(
        new ModuleVersion.Pseudo(
            "v2.0.0-20240301120000-abcdef123456+incompatible.dirty",
            "20240301120000",
            "abcdef123456",
            true),
        GoBuildInfoModel.moduleVersion("v2.0.0-20240301120000-abcdef123456+incompatible.dirty"));
  }

  @Test
  void tagsDevelAndOtherVersions() {
    assertEquals(new ModuleVersion.Devel(), GoBuildInfoModel.moduleVersion("(devel)"));
    assertEquals(new ModuleVersion.Devel(), GoBuildInfoModel.moduleVersion(null));
    assertEquals(
        new ModuleVersion.Tagged("v1.0.0", false), GoBuildInfoModel.moduleVersion("v1.0.0"));
    assertEquals(
        new ModuleVersion.Tagged("v1.0.0+dirty", true),
        GoBuildInfoModel.moduleVersion("v1.0.0+dirty"));
    assertEquals(
        new ModuleVersion.Tagged("v1.3.0-rc.1", false),
        GoBuildInfoModel.moduleVersion("v1.3.0-rc.1"));
    assertEquals(
        new ModuleVersion.Tagged("v3.1.0+incompatible.dirty", true),
        GoBuildInfoModel.moduleVersion("v3.1.0+incompatible.dirty"));
    assertInstanceOf(ModuleVersion.Other.class, GoBuildInfoModel.moduleVersion(""));
    assertInstanceOf(ModuleVersion.Other.class, GoBuildInfoModel.moduleVersion("latest"));
  }

  @Test
  void pseudoVersionNamesItsCommit() {
    ModuleVersion.Pseudo p =
        (ModuleVersion.Pseudo)
            GoBuildInfoModel.moduleVersion("v1.0.1-0.20261130114224-22aabd5ddf0e");
    String commit = "22aabd5ddf0e6ef9eba346aa8825bbd7aff72ada";
    assertTrue(p.names(commit, "20261130114224"));
    assertTrue(p.names(commit, null));
    assertFalse(p.names(commit, "20240301120000"));
    assertFalse(p.names("bad0f8622649e5b0404d6e9f04ab0565c7ef6ff2", "20261130114224"));
    assertFalse(p.names(null, "20261130114224"));
  }

  @Test
  void pseudoTimeIsTheCommitTimeInUtc() {
    assertEquals("20240301120000", GoBuildInfoModel.pseudoTime("2024-03-01T12:00:00Z"));
    assertEquals("20261130114224", GoBuildInfoModel.pseudoTime("2026-11-30T11:42:24Z"));
    assertNull(GoBuildInfoModel.pseudoTime("yesterday"));
    assertNull(GoBuildInfoModel.pseudoTime(null));
    // The time Go put into the pseudo-versions it wrote.
    BuildInfo untagged = VARIANTS.get("untagged-1.27.4-linux-amd64");
    ModuleVersion.Pseudo p =
        (ModuleVersion.Pseudo) GoBuildInfoModel.moduleVersion(untagged.main().version());
    assertEquals(GoBuildInfoModel.pseudoTime(untagged.setting("vcs.time")), p.time());
    BuildInfo pretag = VARIANTS.get("pretag-1.24.13-linux-amd64");
    assertEquals("v0.0.0-20240301120000-bad0f8622649", pretag.main().version());
  }
}
