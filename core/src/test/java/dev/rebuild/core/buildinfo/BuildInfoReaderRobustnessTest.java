package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rebuild.core.buildinfo.GoFixtures.Built;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Damaged real binaries: truncated anywhere, bytes flipped in the headers and in the build
 * information, header fields set to extreme values. The reader must answer with a result every
 * time, quickly, through both the random-access and the streaming path.
 */
class BuildInfoReaderRobustnessTest {
  /** How long the run from a random seed mutates. */
  private static final long RANDOM_MILLIS = 2000;

  static List<byte[]> seeds = new ArrayList<>();
  static List<String> labels = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    GoFixtures fx = GoFixtures.get();
    for (Built b :
        List.of(
            fx.find("go1.26", "linux", "amd64", true, "hello"),
            fx.find("go1.26", "linux", "386", false, "hello"),
            fx.find("go1.26", "windows", "386", false, "hello"),
            fx.find("go1.26", "darwin", "arm64", false, "hello"),
            fx.find("go1.21", "linux", "ppc64", false, "hello"),
            fx.find("go1.17", "linux", "mips", false, "hello"),
            fx.find("go1.17", "darwin", "amd64", false, "hello"),
            fx.find("go1.17", "windows", "386", false, "hello"))) {
      seeds.add(Files.readAllBytes(b.file()));
      labels.add(b.label());
    }
    byte[] arm = seeds.get(3);
    byte[] amd = Files.readAllBytes(fx.find("go1.26", "darwin", "amd64", false, "hello").file());
    seeds.add(BuildInfoReaderTest.fatMachO(arm, amd));
    labels.add("fat Mach-O");
  }

  @Test
  void truncatedAndMutatedBinariesAlwaysYieldAResult() {
    assertTimeoutPreemptively(
        Duration.ofMinutes(3),
        () -> {
          Random random = new Random(20261128L);
          int iterations = Integer.getInteger("buildinfo.fuzz.iterations", 1000);
          Set<String> seen = new TreeSet<>();
          for (int i = 0; i < iterations; i++) {
            seen.add(mutateAndRead(random, i));
          }
          // The mutations reach every kind of answer, not just the first header check.
          assertEquals(Set.of("Corrupt", "GoBinary", "NotGo"), seen);
        });
  }

  /**
   * A new seed on every run, for as long as {@value #RANDOM_MILLIS} ms, reaches mutations the fixed
   * seed does not. A failure names its seed and iteration; {@code -Dbuildinfo.fuzz.seed=<seed>
   * -Dbuildinfo.fuzz.until=<iterations>} replays exactly that run, without the time box.
   */
  @Test
  void mutationsFromARandomSeedAlwaysYieldAResult() {
    Long replay = Long.getLong("buildinfo.fuzz.seed");
    long seed = replay != null ? replay : new SecureRandom().nextLong();
    int until =
        replay != null ? Integer.getInteger("buildinfo.fuzz.until", 1000) : Integer.MAX_VALUE;
    long deadline = System.nanoTime() + Duration.ofMillis(RANDOM_MILLIS).toNanos();
    AtomicInteger at = new AtomicInteger();
    Supplier<String> replayHint =
        () ->
            "mutation run with seed "
                + seed
                + " failed at iteration "
                + at.get()
                + "; replay it with -Dtest=BuildInfoReaderRobustnessTest -Dbuildinfo.fuzz.seed="
                + seed
                + " -Dbuildinfo.fuzz.until="
                + (at.get() + 1);
    assertTimeoutPreemptively(
        Duration.ofMinutes(2),
        () -> {
          Random random = new Random(seed);
          for (int i = 0; i < until && (replay != null || System.nanoTime() < deadline); i++) {
            at.set(i);
            try {
              mutateAndRead(random, i);
            } catch (Throwable t) {
              throw new AssertionFailedError(replayHint.get() + ": " + t, t);
            }
          }
        },
        replayHint);
  }

  /** Reads one mutation of a random seed binary both ways; returns the kind of answer. */
  private static String mutateAndRead(Random random, int i) throws IOException {
    int which = random.nextInt(seeds.size());
    byte[] seed = seeds.get(which);
    byte[] data = mutate(seed, random);
    String what = "iteration " + i + " on " + labels.get(which);
    ReadResult viaChannel = BuildInfoReader.read(new SeekableInMemoryByteChannel(data), what);
    assertNotNull(viaChannel, what);
    try {
      ReadResult viaStream =
          BuildInfoReader.read(new ForwardSource(new ByteArrayInputStream(data), data.length));
      assertNotNull(viaStream, what);
    } catch (ForwardSource.Rewind rewind) {
      // The scanner answers this by reading a temporary copy through the channel path.
    }
    return viaChannel.getClass().getSimpleName();
  }

  private static byte[] mutate(byte[] seed, Random random) {
    int kind = random.nextInt(5);
    switch (kind) {
      case 0 -> {
        // Truncate anywhere, biased to the headers.
        int len = random.nextBoolean() ? random.nextInt(4096) : random.nextInt(seed.length);
        return Arrays.copyOf(seed, len);
      }
      case 1 -> {
        byte[] d = seed.clone();
        int flips = 1 + random.nextInt(16);
        for (int k = 0; k < flips; k++) {
          d[random.nextInt(Math.min(d.length, 8192))] = (byte) random.nextInt(256);
        }
        return d;
      }
      case 2 -> {
        // Damage the build information blob and what follows it.
        byte[] d = seed.clone();
        int blob = BuildInfoReaderTest.blobOffset(d);
        int flips = 1 + random.nextInt(8);
        for (int k = 0; k < flips; k++) {
          int at = blob + random.nextInt(Math.min(2048, d.length - blob));
          d[at] = (byte) random.nextInt(256);
        }
        return d;
      }
      case 3 -> {
        // Extreme values in 4- and 8-byte header fields (offsets, counts, sizes, pointers).
        byte[] d = seed.clone();
        long[] extremes = {0, 1, 0x7fffffffL, 0x80000000L, 0xffffffffL, -1L, Long.MAX_VALUE};
        int fields = 1 + random.nextInt(4);
        for (int k = 0; k < fields; k++) {
          int width = random.nextBoolean() ? 4 : 8;
          int at = random.nextInt(Math.min(d.length, 4096) - width);
          long v = extremes[random.nextInt(extremes.length)];
          for (int b = 0; b < width; b++) {
            d[at + b] = (byte) (v >>> (8 * b));
          }
        }
        return d;
      }
      default -> {
        // Damage the header of the build information: pointer size, flags, pointers.
        byte[] d = seed.clone();
        int blob = BuildInfoReaderTest.blobOffset(d);
        d[blob + 14 + random.nextInt(18)] = (byte) random.nextInt(256);
        return d;
      }
    }
  }
}
