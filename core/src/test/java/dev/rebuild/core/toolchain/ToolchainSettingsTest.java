package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.model.Platform;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolchainSettingsTest {

  ToolchainSettings.Builder base(Map<String, String> env) {
    return ToolchainSettings.builder()
        .home(Path.of("/home/u"))
        .environment(env)
        .host(new Platform("linux", "amd64"));
  }

  @Test
  void proxiesAreReadAsGoReadsGoproxy() {
    assertEquals(
        List.of(URI.create("https://proxy.golang.org/")),
        base(Map.of()).build().effectiveProxies());
    assertEquals(
        List.of(URI.create("https://a.example/"), URI.create("http://127.0.0.1:9/p/")),
        base(Map.of("GOPROXY", "a.example|direct,http://127.0.0.1:9/p"))
            .build()
            .effectiveProxies());
    assertEquals(List.of(), base(Map.of("GOPROXY", "off")).build().effectiveProxies());
    assertEquals(
        List.of(URI.create("https://x.example/")),
        base(Map.of("GOPROXY", "off")).goproxy("https://x.example").build().effectiveProxies());
  }

  @Test
  void cacheDirFollowsXdgAndThePlatform() {
    assertEquals(Path.of("/home/u/.cache/rebuild/go"), base(Map.of()).build().effectiveCacheDir());
    assertEquals(
        Path.of("/xdg/rebuild/go"),
        base(Map.of("XDG_CACHE_HOME", "/xdg")).build().effectiveCacheDir());
    assertEquals(
        Path.of("/home/u/Library/Caches/rebuild/go"),
        base(Map.of()).host(new Platform("darwin", "arm64")).build().effectiveCacheDir());
    assertEquals(Path.of("/c"), base(Map.of()).cacheDir(Path.of("/c")).build().effectiveCacheDir());
  }

  @Test
  void aPinnedSha256MustBeOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> base(Map.of()).pinnedSha256("abc").build());
    assertTrue(e.getMessage().contains("goSha256 'abc' is not a sha256"), e.getMessage());
    assertEquals(
        "ab".repeat(32),
        base(Map.of()).pinnedSha256("sha256:" + "AB".repeat(32)).build().pinnedSha256());
  }

  @Test
  void hostPlatformNamesFollowGo() {
    assertEquals(new Platform("linux", "amd64"), HostPlatform.of("Linux", "amd64"));
    assertEquals(new Platform("darwin", "arm64"), HostPlatform.of("Mac OS X", "aarch64"));
    assertEquals(new Platform("windows", "386"), HostPlatform.of("Windows 11", "x86"));
    assertEquals(
        "armv6l", GoRelease.archiveArch(new Platform("linux", "arm")), "go.dev's arm archives");
  }

  @Test
  void releaseListThatIsNotOneIsRefusedByName() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                GoReleaseList.parse(
                    new ByteArrayInputStream("{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                    "list.json"));
    assertTrue(e.getMessage().contains("the Go release list list.json is not a JSON array"));
  }

  @Test
  void gosumdbForms() throws IOException {
    assertEquals("sum.golang.org", SumDb.Config.parse("sum.golang.org").name());
    assertEquals(URI.create("https://sum.golang.org/"), SumDb.Config.parse("sum.golang.org").url());
    assertEquals(null, SumDb.Config.parse("off"));
    IOException unknown = assertThrows(IOException.class, () -> SumDb.Config.parse("sum.x.org"));
    assertTrue(unknown.getMessage().contains("without its key"), unknown.getMessage());
    IOException tampered =
        assertThrows(
            IOException.class,
            () ->
                SumDb.Config.parse(
                    "sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"));
    assertTrue(tampered.getMessage().contains("key hash does not match"), tampered.getMessage());
  }
}
