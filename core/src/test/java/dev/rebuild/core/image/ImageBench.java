package dev.rebuild.core.image;

import dev.rebuild.core.model.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Run by bench/image.sh: the time to rebuild and push a two-platform image against {@code crane
 * copy} (every platform, {@link Crane}) of the same image into the same registry (a fresh
 * repository each run, so both upload or mount every blob).
 */
public final class ImageBench {
  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    int baseMb = Integer.parseInt(args[1]);
    TestRegistry registry = TestRegistry.open();
    registry.beforeAll(null);
    try {
      Fixture fixture = Fixture.get();
      Path dir = Files.createTempDirectory("image-bench");
      fixture.writeOriginal(
          dir.resolve("layout"), "v1.0.0", List.of("hello", "world"), baseMb << 20);
      String host = registry.host();
      Crane crane = Crane.anonymous();
      crane.pushLayoutRef(dir.resolve("layout"), "v1.0.0", host + "/bench/app:v1.0.0");
      List<Long> copies = new ArrayList<>();
      List<Long> rebuild = new ArrayList<>();
      long[] start = {System.nanoTime()};
      ImageListener trace =
          System.getenv("BENCH_TRACE") == null
              ? ImageListener.NONE
              : new ImageListener() {
                @Override
                public void progress(String message) {
                  System.err.printf(
                      "%6d ms %s%n", (System.nanoTime() - start[0]) / 1_000_000, message);
                }

                @Override
                public void pushed(Pushed what, String id) {
                  progress("pushed " + what + " " + id);
                }
              };
      ImageRebuilder rebuilder = new ImageRebuilder(new GoBuildInfoIdentifier(), trace);
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        crane.ok("copy", host + "/bench/app:v1.0.0", host + "/bench/copy" + i + ":v1.0.0");
        copies.add(System.nanoTime() - t0);
        ImageContext ctx =
            new ImageContext(
                "1.0.0",
                "0123456789abcdef0123456789abcdef01234567",
                Instant.parse("2024-05-01T12:00:00Z"),
                fixture.newGoVersion,
                Set.of(host),
                Set.of(),
                false,
                dir.resolve("out"),
                CredentialSource.NONE);
        long t1 = System.nanoTime();
        start[0] = t1;
        rebuilder.rebuild(
            new ImageSpec(
                host + "/bench/app:v1.0.0",
                host + "/bench/rebuilt" + i,
                List.of("v1.0.0-" + fixture.newGoVersion),
                ImageSpec.Strategy.REPLACE,
                null,
                List.<Platform>of()),
            fixture.rebuilt,
            ctx);
        rebuild.add(System.nanoTime() - t1);
      }
      double s = median(copies) / 1e6;
      double r = median(rebuild) / 1e6;
      System.out.printf(
          "image: 2 platforms, base layer %d MiB random data per platform, %d runs%n",
          baseMb, runs);
      System.out.printf("crane copy               median %8.0f ms  %s%n", s, ms(copies));
      System.out.printf("rebuild (replace) + push median %8.0f ms  %s%n", r, ms(rebuild));
      System.out.printf("ratio rebuild/crane copy: %.2f%n", r / s);
    } finally {
      registry.afterAll(null);
    }
  }

  private static double median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  private static String ms(List<Long> xs) {
    return xs.stream().map(x -> Long.toString(x / 1_000_000)).toList().toString();
  }
}
