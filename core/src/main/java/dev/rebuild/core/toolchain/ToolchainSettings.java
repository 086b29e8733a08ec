package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.Platform;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where to look for Go toolchains and how to fetch missing ones.
 *
 * <p>The environment and home directory are injected rather than read from the JVM so that tests,
 * and a Maven build with its own environment, control every place a toolchain is looked for.
 *
 * @param goroot an explicit GOROOT to use first ({@code rebuild.goroot}); null when not set
 * @param extraGoroots further GOROOTs the caller knows of (toolchains.xml entries of type {@code
 *     go}), looked at last
 * @param cacheDir where downloaded toolchains are kept; null for the user cache directory
 * @param offline when true nothing is downloaded: only installed and cached toolchains are used
 * @param releaseList the Go release list ({@code https://go.dev/dl/?mode=json&include=all} format):
 *     a URL or a file path; null for go.dev's
 * @param downloadBase the base URL of official archives; null for {@code https://go.dev/dl/}
 * @param goproxy the Go module proxy list as {@code GOPROXY} takes it; null to read {@code GOPROXY}
 *     from the environment, else {@code https://proxy.golang.org,direct}
 * @param sumdb the checksum database as {@code GOSUMDB} takes it ({@code name[+key] [url]} or
 *     {@code off}); null to read {@code GOSUMDB} from the environment, else {@code sum.golang.org}
 * @param pinnedSha256 a sha256 the user pins for the downloaded archive or module zip; null when
 *     none
 * @param verifyCache when true a cached toolchain's files are hashed again before each use and
 *     compared with the hash recorded when it was installed; done anyway when the cache directory
 *     is writable by group or others
 * @param environment the environment to read {@code PATH}, {@code GOPATH}, {@code GOMODCACHE},
 *     {@code GOPROXY}, {@code XDG_CACHE_HOME} from, and to run {@code go} with
 * @param home the user's home directory ({@code ~/sdk}, {@code ~/go}, {@code ~/.cache})
 * @param host the platform toolchains are for (this machine's)
 */
public record ToolchainSettings(
    Path goroot,
    List<Path> extraGoroots,
    Path cacheDir,
    boolean offline,
    String releaseList,
    URI downloadBase,
    String goproxy,
    String sumdb,
    String pinnedSha256,
    boolean verifyCache,
    Map<String, String> environment,
    Path home,
    Platform host) {

  public static final String DEFAULT_RELEASE_LIST = "https://go.dev/dl/?mode=json&include=all";
  public static final URI DEFAULT_DOWNLOAD_BASE = URI.create("https://go.dev/dl/");
  public static final String DEFAULT_GOPROXY = "https://proxy.golang.org,direct";
  public static final String DEFAULT_SUMDB =
      "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

  public ToolchainSettings {
    extraGoroots = List.copyOf(extraGoroots == null ? List.of() : extraGoroots);
    environment = Map.copyOf(environment == null ? Map.of() : environment);
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(host, "host");
    if (downloadBase != null && !downloadBase.toString().endsWith("/")) {
      downloadBase = URI.create(downloadBase + "/");
    }
    if (pinnedSha256 != null) {
      pinnedSha256 = pinnedSha256.isBlank() ? null : pinnedSha256.trim().toLowerCase(Locale.ROOT);
      if (pinnedSha256 != null && pinnedSha256.startsWith("sha256:")) {
        pinnedSha256 = pinnedSha256.substring("sha256:".length());
      }
      if (pinnedSha256 != null && !pinnedSha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            "goSha256 '"
                + pinnedSha256
                + "' is not a sha256: give the 64 hex digits of the archive's or module zip's"
                + " sha256 (as sha256sum prints them)");
      }
    }
  }

  /** Settings for this JVM's environment, home directory and platform, with nothing explicit. */
  public static ToolchainSettings fromSystem() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.goroot = goroot;
    b.extraGoroots = new ArrayList<>(extraGoroots);
    b.cacheDir = cacheDir;
    b.offline = offline;
    b.releaseList = releaseList;
    b.downloadBase = downloadBase;
    b.goproxy = goproxy;
    b.sumdb = sumdb;
    b.pinnedSha256 = pinnedSha256;
    b.verifyCache = verifyCache;
    b.environment = environment;
    b.home = home;
    b.host = host;
    return b;
  }

  /**
   * The cache directory in effect: the configured one, else {@code
   * ${XDG_CACHE_HOME:-~/.cache}/rebuild/go} (on macOS {@code ~/Library/Caches/rebuild/go}, on
   * Windows {@code %LocalAppData%\rebuild\go}).
   */
  public Path effectiveCacheDir() {
    if (cacheDir != null) {
      return cacheDir;
    }
    Path base;
    String xdg = environment.get("XDG_CACHE_HOME");
    if (host.os().equals("windows")) {
      String local = environment.get("LocalAppData");
      if (local == null) {
        local = environment.get("LOCALAPPDATA");
      }
      base = local != null ? Path.of(local) : home.resolve("AppData").resolve("Local");
    } else if (host.os().equals("darwin")) {
      base = home.resolve("Library").resolve("Caches");
    } else if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      base = Path.of(xdg);
    } else {
      base = home.resolve(".cache");
    }
    return base.resolve("rebuild").resolve("go");
  }

  /** The release list in effect. */
  public String effectiveReleaseList() {
    return releaseList != null ? releaseList : DEFAULT_RELEASE_LIST;
  }

  /** The official archive base URL in effect. */
  public URI effectiveDownloadBase() {
    return downloadBase != null ? downloadBase : DEFAULT_DOWNLOAD_BASE;
  }

  /**
   * The module proxies to try, as {@code go env GOPROXY} reads them, without {@code direct} (a
   * toolchain has no source repository) and empty when the list says {@code off}.
   */
  public List<URI> effectiveProxies() {
    String value = goproxy;
    if (value == null) {
      value = environment.get("GOPROXY");
    }
    if (value == null || value.isBlank()) {
      value = DEFAULT_GOPROXY;
    }
    List<URI> out = new ArrayList<>();
    for (String part : value.split("[,|]")) {
      String p = part.trim();
      if (p.isEmpty() || p.equals("direct")) {
        continue;
      }
      if (p.equals("off")) {
        break;
      }
      if (!p.contains("://")) {
        p = "https://" + p;
      }
      out.add(URI.create(p.endsWith("/") ? p : p + "/"));
    }
    return out;
  }

  /** The checksum database setting in effect ({@code GOSUMDB} syntax). */
  public String effectiveSumdb() {
    String value = sumdb;
    if (value == null) {
      value = environment.get("GOSUMDB");
    }
    if (value == null || value.isBlank() || value.trim().equals("sum.golang.org")) {
      return DEFAULT_SUMDB;
    }
    if (value.trim().equals("sum.golang.google.cn")) {
      // go's alias for sum.golang.org, reachable from mainland China.
      return DEFAULT_SUMDB + " https://sum.golang.google.cn";
    }
    return value.trim();
  }

  /**
   * The module cache: {@code GOMODCACHE}, else the first {@code GOPATH} entry's {@code pkg/mod},
   * else {@code ~/go/pkg/mod}.
   */
  public Path moduleCache() {
    String modcache = environment.get("GOMODCACHE");
    if (modcache != null && !modcache.isBlank()) {
      return Path.of(modcache);
    }
    String gopath = environment.get("GOPATH");
    if (gopath != null && !gopath.isBlank()) {
      String first = gopath.split(java.io.File.pathSeparator)[0];
      if (!first.isBlank()) {
        return Path.of(first).resolve("pkg").resolve("mod");
      }
    }
    return home.resolve("go").resolve("pkg").resolve("mod");
  }

  /** Builds settings; unset values take the JVM's environment, home and platform. */
  public static final class Builder {
    private Path goroot;
    private List<Path> extraGoroots = new ArrayList<>();
    private Path cacheDir;
    private boolean offline;
    private String releaseList;
    private URI downloadBase;
    private String goproxy;
    private String sumdb;
    private String pinnedSha256;
    private boolean verifyCache;
    private Map<String, String> environment;
    private Path home;
    private Platform host;

    private Builder() {}

    public Builder goroot(Path value) {
      goroot = value;
      return this;
    }

    public Builder extraGoroots(List<Path> value) {
      extraGoroots = new ArrayList<>(value);
      return this;
    }

    public Builder cacheDir(Path value) {
      cacheDir = value;
      return this;
    }

    public Builder offline(boolean value) {
      offline = value;
      return this;
    }

    public Builder releaseList(String value) {
      releaseList = value;
      return this;
    }

    public Builder downloadBase(URI value) {
      downloadBase = value;
      return this;
    }

    public Builder goproxy(String value) {
      goproxy = value;
      return this;
    }

    public Builder sumdb(String value) {
      sumdb = value;
      return this;
    }

    public Builder pinnedSha256(String value) {
      pinnedSha256 = value;
      return this;
    }

    public Builder verifyCache(boolean value) {
      verifyCache = value;
      return this;
    }

    public Builder environment(Map<String, String> value) {
      environment = value;
      return this;
    }

    public Builder home(Path value) {
      home = value;
      return this;
    }

    public Builder host(Platform value) {
      host = value;
      return this;
    }

    public ToolchainSettings build() {
      return new ToolchainSettings(
          goroot,
          extraGoroots,
          cacheDir,
          offline,
          releaseList,
          downloadBase,
          goproxy,
          sumdb,
          pinnedSha256,
          verifyCache,
          environment != null ? environment : System.getenv(),
          home != null ? home : Path.of(System.getProperty("user.home")),
          host != null ? host : HostPlatform.detect());
    }
  }
}
