package dev.rebuild.core.vuln;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The vuln.go.dev layout on top of a way to read one file of it; parses and caches the index and
 * the entries.
 */
abstract class LayoutSource implements VulnerabilitySource {

  static final String MODULES_INDEX = "index/modules.json";

  static final String LAYOUT_HINT =
      "a Go vulnerability database in the vuln.go.dev layout has index/modules.json and"
          + " ID/<id>.json; give https://vuln.go.dev (the default), a copy of it in a directory,"
          + " or its vulndb.zip (https://vuln.go.dev/vulndb.zip)";

  /**
   * The most an index file ({@code index/modules.json}, {@code index/db.json}) may hold:
   * vuln.go.dev's module index is a few MiB; a file far beyond that is not an index, and is refused
   * before it fills the memory.
   */
  static final int MAX_INDEX_BYTES = 64 << 20;

  /** The most one entry ({@code ID/<id>.json}) may hold: real ones are a few KiB. */
  static final int MAX_ENTRY_BYTES = 4 << 20;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String location;
  private final int parallelism;
  private volatile Map<String, IndexedModule> modules;
  private final Map<String, OsvEntry> entries = new ConcurrentHashMap<>();

  /**
   * @param parallelism how many files to fetch at once (a server answers faster when asked in
   *     parallel; a local copy gains nothing)
   */
  LayoutSource(String location, int parallelism) {
    this.location = location;
    this.parallelism = parallelism;
  }

  /**
   * The bytes of the file at {@code path} (relative, e.g. {@code ID/GO-2024-3105.json}), or null.
   * At most {@link #limit} bytes: read it with {@link #readBounded}.
   */
  abstract byte[] read(String path);

  /** The most the file at {@code path} may hold. */
  static int limit(String path) {
    return path.startsWith("index/") ? MAX_INDEX_BYTES : MAX_ENTRY_BYTES;
  }

  /**
   * Reads {@code in} to its end, refusing it once it holds more than {@link #limit} bytes for
   * {@code path}.
   *
   * @param where the file or URL, for the message
   */
  byte[] readBounded(InputStream in, String path, Object where) throws IOException {
    int limit = limit(path);
    byte[] b = in.readNBytes(limit + 1);
    if (b.length > limit) {
      throw new VulnerabilityDatabaseException(
          where
              + " holds more than "
              + (limit >> 20)
              + " MiB, far more than "
              + (path.startsWith("index/") ? "an index" : "an entry")
              + " of a Go vulnerability database does; refusing it. Check the database location "
              + location
              + ": it does not serve a vulnerability database there");
    }
    return b;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Map<String, IndexedModule> modules() {
    Map<String, IndexedModule> m = modules;
    if (m == null) {
      synchronized (this) {
        m = modules;
        if (m == null) {
          m = parseModules(require(MODULES_INDEX, "its module index"));
          modules = m;
        }
      }
    }
    return m;
  }

  @Override
  public OsvEntry entry(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new VulnerabilityDatabaseException(
          "corrupt index in "
              + location
              + ": '"
              + id
              + "' is not a vulnerability id; re-download the database");
    }
    OsvEntry cached = entries.get(id);
    if (cached != null) {
      return cached;
    }
    // Loaded outside the map's lock: a fetch may take seconds and others must not wait for it.
    OsvEntry loaded = loadEntry(id);
    OsvEntry raced = entries.putIfAbsent(id, loaded);
    return raced != null ? raced : loaded;
  }

  @Override
  public Map<String, OsvEntry> entries(Collection<String> ids) {
    List<String> missing =
        ids.stream().distinct().filter(id -> !entries.containsKey(id)).sorted().toList();
    if (parallelism > 1 && missing.size() > 1) {
      ExecutorService pool =
          Executors.newFixedThreadPool(
              Math.min(parallelism, missing.size()),
              r -> {
                Thread t = new Thread(r, "rebuild-vulndb-fetch");
                t.setDaemon(true);
                return t;
              });
      try {
        List<Future<OsvEntry>> pending = new ArrayList<>();
        for (String id : missing) {
          pending.add(pool.submit(() -> entry(id)));
        }
        for (Future<OsvEntry> f : pending) {
          f.get();
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new VulnerabilityDatabaseException(
            "cannot read " + location + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VulnerabilityDatabaseException("interrupted while reading " + location, e);
      } finally {
        pool.shutdownNow();
      }
    }
    Map<String, OsvEntry> out = new TreeMap<>();
    for (String id : ids) {
      out.put(id, entry(id));
    }
    return out;
  }

  private OsvEntry loadEntry(String id) {
    String path = "ID/" + id + ".json";
    OsvEntry e = parseEntry(path, require(path, "entry " + id + ", which its index lists"));
    if (!e.id().equals(id)) {
      throw corrupt(path, "it holds entry '" + e.id() + "'");
    }
    return e;
  }

  private byte[] require(String path, String what) {
    byte[] b = read(path);
    if (b == null) {
      if (path.equals(MODULES_INDEX)) {
        throw new VulnerabilityDatabaseException(
            location + " has no " + MODULES_INDEX + ", so it is not usable: " + LAYOUT_HINT);
      }
      throw new VulnerabilityDatabaseException(
          location
              + " lacks "
              + path
              + " ("
              + what
              + "): the copy is incomplete; re-download the database");
    }
    return b;
  }

  private Map<String, IndexedModule> parseModules(byte[] bytes) {
    JsonNode root = tree(MODULES_INDEX, bytes);
    if (!root.isArray()) {
      throw corrupt(MODULES_INDEX, "expected a JSON array of modules");
    }
    Map<String, IndexedModule> out = new TreeMap<>();
    for (JsonNode m : root) {
      String path = text(m, "path");
      if (path.isEmpty()) {
        throw corrupt(MODULES_INDEX, "a module without a path");
      }
      List<IndexedModule.IndexedVuln> vulns = new ArrayList<>();
      for (JsonNode v : array(MODULES_INDEX, m, "vulns")) {
        String id = text(v, "id");
        if (id.isEmpty()) {
          throw corrupt(MODULES_INDEX, "a vulnerability of " + path + " without an id");
        }
        vulns.add(new IndexedModule.IndexedVuln(id, text(v, "modified"), text(v, "fixed")));
      }
      IndexedModule prev = out.get(path);
      if (prev != null) {
        vulns.addAll(0, prev.vulns());
      }
      out.put(path, new IndexedModule(path, vulns));
    }
    return Collections.unmodifiableMap(out);
  }

  private OsvEntry parseEntry(String path, byte[] bytes) {
    JsonNode root = tree(path, bytes);
    if (!root.isObject()) {
      throw corrupt(path, "expected a JSON object");
    }
    String id = text(root, "id");
    if (id.isEmpty()) {
      throw corrupt(path, "no id");
    }
    Instant withdrawn = null;
    String w = text(root, "withdrawn");
    if (!w.isEmpty()) {
      try {
        withdrawn = Instant.parse(w);
      } catch (DateTimeParseException e) {
        throw corrupt(path, "withdrawn '" + w + "' is not an RFC 3339 time");
      }
    }
    List<String> aliases = new ArrayList<>();
    for (JsonNode a : array(path, root, "aliases")) {
      aliases.add(a.asText());
    }
    List<OsvEntry.Affected> affected = new ArrayList<>();
    for (JsonNode a : array(path, root, "affected")) {
      String module = text(a.path("package"), "name");
      if (module.isEmpty()) {
        throw corrupt(path, "an affected block without package.name");
      }
      List<OsvEntry.Range> ranges = new ArrayList<>();
      for (JsonNode r : array(path, a, "ranges")) {
        List<OsvEntry.Event> events = new ArrayList<>();
        for (JsonNode e : array(path, r, "events")) {
          events.add(new OsvEntry.Event(text(e, "introduced"), text(e, "fixed")));
        }
        ranges.add(new OsvEntry.Range(text(r, "type"), events));
      }
      List<OsvEntry.ImportedPackage> packages = new ArrayList<>();
      for (JsonNode p : array(path, a.path("ecosystem_specific"), "imports")) {
        packages.add(
            new OsvEntry.ImportedPackage(
                text(p, "path"),
                strings(path, p, "goos"),
                strings(path, p, "goarch"),
                strings(path, p, "symbols")));
      }
      affected.add(new OsvEntry.Affected(module, ranges, packages));
    }
    return new OsvEntry(
        id, text(root, "modified"), withdrawn, aliases, text(root, "summary"), affected);
  }

  private JsonNode tree(String path, byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || n.isMissingNode()) {
        throw corrupt(path, "the file is empty");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new VulnerabilityDatabaseException(
          "corrupt "
              + path
              + " in "
              + location
              + ": not valid JSON ("
              + e.getOriginalMessage()
              + "); re-download the database",
          e);
    } catch (IOException e) {
      throw new VulnerabilityDatabaseException(
          "cannot read " + path + " in " + location + ": " + e.getMessage(), e);
    }
  }

  private Iterable<JsonNode> array(String path, JsonNode parent, String field) {
    JsonNode n = parent.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw corrupt(path, "'" + field + "' is not an array");
    }
    return n;
  }

  private List<String> strings(String path, JsonNode parent, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : array(path, parent, field)) {
      out.add(s.asText());
    }
    return out;
  }

  private static String text(JsonNode parent, String field) {
    JsonNode n = parent.path(field);
    return n.isValueNode() && !n.isNull() ? n.asText() : "";
  }

  VulnerabilityDatabaseException corrupt(String path, String why) {
    return new VulnerabilityDatabaseException(
        "corrupt " + path + " in " + location + ": " + why + "; re-download the database");
  }
}
