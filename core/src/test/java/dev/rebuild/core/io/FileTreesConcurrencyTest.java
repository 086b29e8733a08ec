package dev.rebuild.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers racing for one file: every reader sees one writer's complete content. */
class FileTreesConcurrencyTest {

  @TempDir Path tmp;

  /** A content that tells whether it arrived whole: its writer's number repeated. */
  private static byte[] content(int writer, int round) {
    String line = "writer " + writer + " round " + round + "\n";
    return line.repeat(2000 + writer * 37).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean complete(byte[] read, Set<String> published) {
    return published.contains(new String(read, StandardCharsets.UTF_8));
  }

  @Test
  void concurrentWritersEachPublishACompleteContent() throws Exception {
    Path target = tmp.resolve("report.json");
    int writers = 8;
    int rounds = 50;
    Set<String> published = new HashSet<>();
    for (int w = 0; w < writers; w++) {
      for (int r = 0; r < rounds; r++) {
        published.add(new String(content(w, r), StandardCharsets.UTF_8));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<String> torn = new ArrayList<>();
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        jobs.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    FileTrees.writeAtomically(target, content(writer, r));
                  }
                  return null;
                }));
      }
      List<Future<?>> readers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        readers.add(
            pool.submit(
                () -> {
                  while (writing.get()) {
                    if (Files.exists(target)) {
                      byte[] read = Files.readAllBytes(target);
                      if (!complete(read, published)) {
                        synchronized (torn) {
                          torn.add(read.length + " bytes");
                        }
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> job : jobs) {
        // A writer that failed (a rename of a temporary file another writer took) throws here.
        job.get(2, TimeUnit.MINUTES);
      }
      writing.set(false);
      for (Future<?> r : readers) {
        r.get(1, TimeUnit.MINUTES);
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
    assertEquals(List.of(), torn, "reads that saw no complete content");
    assertTrue(complete(Files.readAllBytes(target), published));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(target), s.toList(), "temporary files left behind");
    }
  }
}
