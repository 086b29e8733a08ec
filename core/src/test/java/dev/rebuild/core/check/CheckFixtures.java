package dev.rebuild.core.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebuild.core.testing.GoFixtures;
import dev.rebuild.core.testing.TestTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the check tests read: a program that links golang.org/x/text v0.3.7 (open to GO-2022-1059)
 * built with real Go toolchains, a Go vulnerability database written here, and small release lists
 * in go.dev's format.
 *
 * <p>The database holds real ids, aliases, ranges and packages of the Go vulnerability database
 * (CC-BY-4.0); the summaries are this project's own:
 *
 * <ul>
 *   <li>GO-2024-3107 stdlib, fixed in 1.22.7 and 1.23.1: open at go1.21.13;
 *   <li>GO-2025-3750 stdlib, windows only, fixed in 1.23.10 and 1.24.4: open at go1.21.13 but only
 *       for windows binaries;
 *   <li>GO-2022-1059 golang.org/x/text, fixed in v0.3.8: a dependency only a project release fixes;
 *   <li>{@link #LATER} GO-2025-3563 stdlib, fixed in 1.23.8 and 1.24.2: the "next Go security
 *       release", open at go1.22.12.
 * </ul>
 */
final class CheckFixtures {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The entry that arrives after the first rebuild. */
  static final String LATER = "GO-2025-3563";

  private CheckFixtures() {}

  /**
   * Writes the module and builds {@code hello} with {@code goroot} for linux/amd64 to {@code out}.
   */
  static Path build(Path work, Path goroot, Path out) throws IOException {
    return build(work, goroot, out, "linux");
  }

  /** Builds {@code hello} for {@code goos}/amd64. */
  static Path build(Path work, Path goroot, Path out, String goos) throws IOException {
    return build(work, goroot, out, goos, "amd64");
  }

  /** Builds {@code hello} for {@code goos}/{@code goarch}. */
  static Path build(Path work, Path goroot, Path out, String goos, String goarch)
      throws IOException {
    Path module = work.resolve("module");
    if (!Files.exists(module.resolve("go.sum"))) {
      Files.createDirectories(module);
      Files.writeString(module.resolve("go.mod"), "module example.com/demo\n\ngo 1.21\n");
      Files.writeString(
          module.resolve("main.go"),
          "package main\n\nimport (\n\t\"fmt\"\n\n\t\"golang.org/x/text/language\"\n)\n\n"
              + "func main() { fmt.Println(language.English) }\n");
      GoFixtures.run(module, env(goroot), go(goroot), "get", "golang.org/x/text@v0.3.7");
    }
    Files.createDirectories(out.getParent());
    Map<String, String> env = env(goroot);
    env.put("GOOS", goos);
    env.put("GOARCH", goarch);
    GoFixtures.run(module, env, go(goroot), "build", "-o", out.toString(), ".");
    return out;
  }

  static String go(Path goroot) {
    return goroot.resolve("bin/go").toString();
  }

  static Map<String, String> env(Path goroot) {
    Map<String, String> env = new HashMap<>();
    env.put("GOROOT", goroot.toString());
    env.put("GOTOOLCHAIN", "local");
    env.put("GOOS", "linux");
    env.put("GOARCH", "amd64");
    env.put("CGO_ENABLED", "0");
    env.put("GOFLAGS", "-mod=mod -buildvcs=false");
    env.put("GOCACHE", TestTools.cacheRoot().resolve("check-gocache").toString());
    return env;
  }

  /** Packs {@code binary} as {@code demo/bin/hello} into {@code archive} with the real tar. */
  static Path tarGz(Path binary, Path archive) throws IOException {
    Path stage = Files.createTempDirectory(archive.getParent(), "stage");
    Files.createDirectories(stage.resolve("demo/bin"));
    Files.copy(binary, stage.resolve("demo/bin/hello"));
    GoFixtures.run(stage, Map.of(), "tar", "-czf", archive.toString(), "demo");
    GoFixtures.run(stage.getParent(), Map.of(), "rm", "-rf", stage.toString());
    return archive;
  }

  /** The database: the first three entries, and {@link #LATER} when {@code later}. */
  static Path database(Path dir, boolean later) throws IOException {
    Map<String, ObjectNode> entries = new TreeMap<>();
    entries.put(
        "GO-2024-3107",
        entry(
            "GO-2024-3107",
            List.of("CVE-2024-34158"),
            "Stack exhaustion parsing deeply nested build constraints",
            "stdlib",
            List.of("0", "1.22.7", "1.23.0-0", "1.23.1"),
            "go/build/constraint",
            null));
    entries.put(
        "GO-2025-3750",
        entry(
            "GO-2025-3750",
            List.of("CVE-2025-0913"),
            "Inconsistent handling of O_CREATE|O_EXCL on Windows",
            "stdlib",
            List.of("0", "1.23.10", "1.24.0-0", "1.24.4"),
            "syscall",
            "windows"));
    entries.put(
        "GO-2022-1059",
        entry(
            "GO-2022-1059",
            List.of("CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"),
            "Denial of service parsing Accept-Language headers",
            "golang.org/x/text",
            List.of("0", "0.3.8"),
            "golang.org/x/text/language",
            null));
    if (later) {
      entries.put(
          LATER,
          entry(
              LATER,
              List.of("CVE-2025-22871"),
              "Request smuggling through a bare LF in chunked data",
              "stdlib",
              List.of("0", "1.23.8", "1.24.0-0", "1.24.2"),
              "net/http/internal",
              null));
    }
    Files.createDirectories(dir.resolve("ID"));
    Files.createDirectories(dir.resolve("index"));
    Map<String, ArrayNode> byModule = new TreeMap<>();
    ArrayNode vulns = JSON.createArrayNode();
    for (ObjectNode e : entries.values()) {
      Files.write(dir.resolve("ID/" + e.path("id").asText() + ".json"), JSON.writeValueAsBytes(e));
      String module = e.path("affected").path(0).path("package").path("name").asText();
      ArrayNode events =
          (ArrayNode) e.path("affected").path(0).path("ranges").path(0).path("events");
      ObjectNode v = byModule.computeIfAbsent(module, m -> JSON.createArrayNode()).addObject();
      v.put("id", e.path("id").asText());
      v.put("modified", "2026-08-21T00:00:00Z");
      v.put("fixed", events.get(events.size() - 1).path("fixed").asText());
      ObjectNode all = vulns.addObject();
      all.put("id", e.path("id").asText());
      all.put("modified", "2026-08-21T00:00:00Z");
      all.set("aliases", e.path("aliases"));
    }
    ArrayNode modules = JSON.createArrayNode();
    byModule.forEach((m, v) -> modules.addObject().put("path", m).set("vulns", v));
    Files.write(dir.resolve("index/modules.json"), JSON.writeValueAsBytes(modules));
    Files.write(dir.resolve("index/vulns.json"), JSON.writeValueAsBytes(vulns));
    Files.writeString(dir.resolve("index/db.json"), "{\"modified\": \"2026-08-21T00:00:00Z\"}");
    return dir;
  }

  /**
   * @param events introduced, fixed, introduced, fixed, ...
   */
  private static ObjectNode entry(
      String id,
      List<String> aliases,
      String summary,
      String module,
      List<String> events,
      String pkg,
      String goos) {
    ObjectNode e = JSON.createObjectNode();
    e.put("schema_version", "1.3.1");
    e.put("id", id);
    e.put("modified", "2026-08-21T00:00:00Z");
    e.put("published", "2026-08-21T00:00:00Z");
    aliases.forEach(e.putArray("aliases")::add);
    e.put("summary", summary);
    ObjectNode a = e.putArray("affected").addObject();
    a.putObject("package").put("name", module).put("ecosystem", "Go");
    ObjectNode range = a.putArray("ranges").addObject();
    range.put("type", "SEMVER");
    ArrayNode ev = range.putArray("events");
    for (int i = 0; i < events.size(); i++) {
      ev.addObject().put(i % 2 == 0 ? "introduced" : "fixed", events.get(i));
    }
    ObjectNode imp = a.putObject("ecosystem_specific").putArray("imports").addObject();
    imp.put("path", pkg);
    if (goos != null) {
      imp.putArray("goos").add(goos);
    }
    return e;
  }

  /** A release list in go.dev's JSON format naming {@code versions} (all stable). */
  static Path releaseList(Path file, String... versions) throws IOException {
    ArrayNode list = JSON.createArrayNode();
    for (String v : versions) {
      ObjectNode r = list.addObject();
      r.put("version", "go" + v);
      r.put("stable", !v.contains("rc"));
      r.putArray("files");
    }
    Files.createDirectories(file.getParent());
    Files.write(file, JSON.writeValueAsBytes(list));
    return file;
  }
}
