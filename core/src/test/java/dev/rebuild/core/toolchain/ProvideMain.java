package dev.rebuild.core.toolchain;

import dev.rebuild.core.exec.CommonsExecProcessRunner;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Provides one toolchain in a process of its own, for the test that races two processes: {@code
 * <cache dir> <release list URL> <download base URL> <empty dir> <version>}. Prints {@code
 * key=value} lines.
 */
public final class ProvideMain {

  private ProvideMain() {}

  public static void main(String[] args) throws Exception {
    Path empty = Path.of(args[3]);
    ToolchainSettings s =
        ToolchainSettings.builder()
            .cacheDir(Path.of(args[0]))
            .releaseList(args[1])
            .downloadBase(URI.create(args[2]))
            .goproxy("off")
            .sumdb("off")
            .home(empty)
            .environment(Map.of("PATH", empty.toString()))
            .build();
    AtomicBoolean downloaded = new AtomicBoolean();
    ToolchainListener listener =
        new ToolchainListener() {
          @Override
          public void downloading(URI url, long bytes, long total) {
            downloaded.set(true);
          }
        };
    ToolchainStore store =
        new ToolchainStore(
            s,
            new InstalledToolchains(s, new CommonsExecProcessRunner(), empty),
            listener,
            Duration.ofMinutes(2));
    long start = System.currentTimeMillis();
    try {
      Toolchain t = store.provide(args[4]);
      long end = System.currentTimeMillis();
      System.out.println("goroot=" + t.goroot());
      System.out.println("downloaded=" + downloaded.get());
      System.out.println("start=" + start);
      System.out.println("end=" + end);
    } catch (ToolchainException e) {
      System.out.println("error=" + e.getMessage().replace('\n', ' '));
      System.exit(1);
    }
  }
}
