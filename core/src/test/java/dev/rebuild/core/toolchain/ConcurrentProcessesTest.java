package dev.rebuild.core.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebuild.core.model.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs wanting the same toolchain at once: one download, both succeed. */
class ConcurrentProcessesTest {

  @TempDir Path tmp;

  @Test
  void twoProcessesRacingForOneVersionDownloadItOnce() throws Exception {
    byte[] archive = Fixtures.archive();
    try (TestServer server = new TestServer()) {
      server.serve(
          "/dl/list.json",
          Fixtures.releaseList(Fixtures.VERSION, Digest.of(archive).hex(), "true")
              .getBytes(StandardCharsets.UTF_8));
      // Slow enough that the second process asks while the first is still downloading.
      server.serveSlowly("/dl/" + Fixtures.ARCHIVE, archive, 2000);
      Path cache = tmp.resolve("cache");
      Path empty = Files.createDirectories(tmp.resolve("empty"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command =
          List.of(
              java,
              "-cp",
              System.getProperty("java.class.path"),
              ProvideMain.class.getName(),
              cache.toString(),
              server.uri("/dl/list.json").toString(),
              server.uri("/dl/").toString(),
              empty.toString(),
              "1.21.13");
      List<Process> processes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        processes.add(new ProcessBuilder(command).redirectErrorStream(true).start());
      }
      List<Map<String, String>> results = new ArrayList<>();
      for (Process p : processes) {
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "a racing process did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        Map<String, String> kv = new HashMap<>();
        for (String line : out.split("\n")) {
          int eq = line.indexOf('=');
          if (eq > 0) {
            kv.put(line.substring(0, eq), line.substring(eq + 1).strip());
          }
        }
        results.add(kv);
      }

      assertEquals(1, server.hits("/dl/" + Fixtures.ARCHIVE), "downloads of the archive");
      Path goroot = cache.resolve("go1.21.13.linux-amd64");
      assertEquals(goroot.toString(), results.get(0).get("goroot"));
      assertEquals(goroot.toString(), results.get(1).get("goroot"));
      assertEquals(
          1,
          results.stream().filter(r -> r.get("downloaded").equals("true")).count(),
          results::toString);
      // They really ran at the same time: each started before the other finished.
      long s0 = Long.parseLong(results.get(0).get("start"));
      long e0 = Long.parseLong(results.get(0).get("end"));
      long s1 = Long.parseLong(results.get(1).get("start"));
      long e1 = Long.parseLong(results.get(1).get("end"));
      assertTrue(s0 < e1 && s1 < e0, "the processes did not overlap: " + results);
      assertTrue(Files.isExecutable(goroot.resolve("bin/go")));
      try (Stream<Path> s = Files.list(cache)) {
        List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(List.of(".lock-go1.21.13.linux-amd64", "go1.21.13.linux-amd64"), names);
      }
    }
  }
}
