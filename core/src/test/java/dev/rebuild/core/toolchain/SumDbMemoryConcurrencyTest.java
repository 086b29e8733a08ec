package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifiers racing on one machine's memory of the checksum database (the {@code latest} signed tree
 * head, as concurrent builds share it through the toolchain cache): the newest tree any of them saw
 * is what stays remembered.
 */
class SumDbMemoryConcurrencyTest {

  private static final String MODULE = "golang.org/toolchain";
  private static final String VERSION = "v0.0.1-go1.21.13.linux-amd64";
  private static final String H1 = "h1:" + "A".repeat(43) + "=";

  @TempDir Path tmp;

  @Test
  void concurrentVerifiersNeverLoseTheNewestTree() throws Exception {
    int verifiers = 12;
    try (TestServer server = new TestServer()) {
      FakeSumDb db = new FakeSumDb("sum.test");
      // One history seen at different sizes: record 0 answers the look-up in every tree. Each
      // base answers with a tree of its own size and serves the tiles of every size, which the
      // proofs that one tree extends another need.
      for (int k = 0; k < verifiers; k++) {
        for (int j = 0; j < verifiers; j++) {
          if (j != k) {
            db.publish(server, "/s" + k + "/", MODULE, VERSION, H1, H1, 0, 2 + 3 * j);
          }
        }
        db.publish(server, "/s" + k + "/", MODULE, VERSION, H1, H1, 0, 2 + 3 * k);
      }
      int newest = 2 + 3 * (verifiers - 1);
      for (int round = 0; round < 8; round++) {
        Path memory = tmp.resolve("sumdb-" + round);
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < verifiers; k++) {
          order.add(k);
        }
        Collections.shuffle(order, new java.util.Random(round));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(verifiers);
        try {
          List<Future<SumDb.Answer>> answers = new ArrayList<>();
          for (int k : order) {
            SumDb.Config config =
                SumDb.Config.parse(db.verifierKey() + " " + server.uri("/s" + k + "/"));
            // Each verifier has its own instance, as separate builds would.
            SumDb sumdb = new SumDb(config, List.of(), new Http(Duration.ofSeconds(30)), memory);
            answers.add(
                pool.submit(
                    () -> {
                      go.await();
                      return sumdb.lookup(MODULE, VERSION);
                    }));
          }
          go.countDown();
          for (Future<SumDb.Answer> a : answers) {
            assertEquals(H1, a.get(2, TimeUnit.MINUTES).h1());
          }
        } finally {
          pool.shutdownNow();
        }
        Path latest = memory.resolve("sum.test").resolve("latest");
        String note = Files.readString(latest, StandardCharsets.UTF_8);
        assertEquals(
            String.valueOf(newest),
            note.split("\n")[1],
            "round " + round + ": the remembered tree is not the newest seen");
        try (Stream<Path> s = Files.list(latest.getParent())) {
          assertEquals(
              List.of(),
              s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList(),
              "temporary files left behind");
        }
      }
    }
  }
}
