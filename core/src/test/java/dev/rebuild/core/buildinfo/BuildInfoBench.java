package dev.rebuild.core.buildinfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmark driver for {@code bench/buildinfo.sh}, not a test: scans each argument (file, directory
 * or archive) {@code -Dbench.rounds} times after {@code -Dbench.warmup} rounds and prints the mean
 * milliseconds per scan.
 */
public final class BuildInfoBench {
  private BuildInfoBench() {}

  public static void main(String[] args) throws IOException {
    int warmup = Integer.getInteger("bench.warmup", 5);
    int rounds = Integer.getInteger("bench.rounds", 20);
    ArtifactScanner scanner = new ArtifactScanner();
    for (String arg : args) {
      Path path = Path.of(arg);
      List<ScannedFile> last = null;
      for (int i = 0; i < warmup; i++) {
        last = scanner.scan(path);
      }
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        last = scanner.scan(path);
      }
      double ms = (System.nanoTime() - start) / 1e6 / rounds;
      long go = last.stream().filter(f -> f.result() instanceof ReadResult.GoBinary).count();
      System.out.printf("%s files=%d go=%d ms_per_scan=%.3f%n", arg, last.size(), go, ms);
    }
  }
}
