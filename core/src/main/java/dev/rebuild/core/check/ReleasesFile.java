package dev.rebuild.core.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The releases file of {@code rebuild:check}: a list of releases, each with its tag and where it is
 * published, in JSON or (named {@code .yaml} or {@code .yml}) YAML.
 *
 * <pre>{@code
 * {"releases": [
 *   {"name": "nsq", "tag": "v1.3.0", "project": "nsq",
 *    "published": ["releases/nsq/v1.3.0", "target/rebuild/v1.3.0"],
 *    "images": ["registry.example.com/nsqio/nsq"], "github": ["nsqio/nsq"]}
 * ]}
 * }</pre>
 *
 * or in YAML:
 *
 * <pre>{@code
 * releases:
 *   - name: nsq
 *     tag: v1.3.0
 *     published: [releases/nsq/v1.3.0]
 * }</pre>
 *
 * Relative paths resolve against the file's directory.
 */
public final class ReleasesFile {

  /** The configuration key, for {@link RebuildException#parameter()}. */
  public static final String PARAMETER = "releases";

  /** A releases file is a few KiB; one far larger is not one. */
  static final int MAX_BYTES = 1 << 20;

  private static final Set<String> KEYS =
      Set.of("name", "tag", "project", "published", "images", "github");

  private static final String FORM =
      "write {\"releases\": [{\"name\": \"nsq\", \"tag\": \"v1.3.0\", \"published\": [\"dir\"],"
          + " \"images\": [\"registry/repo\"]}]}";

  private ReleasesFile() {}

  /**
   * Reads the file.
   *
   * @throws RebuildException {@link RebuildException.Kind#BAD_INPUT} naming the file, the release
   *     and the field that is wrong
   */
  public static List<ReleaseToCheck> read(Path file) throws RebuildException {
    if (!Files.isRegularFile(file)) {
      throw RebuildException.badInput(
          PARAMETER, "the releases file " + file + " does not exist; " + FORM);
    }
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw RebuildException.badInput(
            PARAMETER, file + " holds more than 1 MiB: not a releases file; " + FORM);
      }
      String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
      ObjectMapper mapper =
          fileName.endsWith(".yaml") || fileName.endsWith(".yml")
              ? new YAMLMapper()
              : new ObjectMapper();
      root = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw RebuildException.badInput(
          PARAMETER, file + " is neither JSON nor YAML (" + e.getOriginalMessage() + "); " + FORM);
    } catch (IOException e) {
      throw RebuildException.tool("cannot read the releases file " + file + ": " + e, e);
    }
    JsonNode list = root != null && root.isObject() ? root.path("releases") : root;
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw RebuildException.badInput(PARAMETER, file + " lists no releases; " + FORM);
    }
    Path base = file.toAbsolutePath().getParent();
    List<ReleaseToCheck> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode r : list) {
      String where = file + ": release " + (i++ + 1);
      if (!r.isObject()) {
        throw RebuildException.badInput(PARAMETER, where + " is not an object; " + FORM);
      }
      for (Iterator<String> keys = r.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (!KEYS.contains(key)) {
          throw RebuildException.badInput(
              PARAMETER,
              where
                  + " has an unknown field '"
                  + key
                  + "'; the fields are "
                  + String.join(", ", KEYS.stream().sorted().toList()));
        }
      }
      String tag = text(r, "tag", where, true);
      String name = text(r, "name", where, false);
      name = name == null ? tag : name;
      if (!ReleaseToCheck.NAME.matcher(name).matches()) {
        throw RebuildException.badInput(
            PARAMETER,
            where
                + ": name '"
                + name
                + "' must be letters, digits, '.', '_' or '-' (it prefixes the check.properties"
                + " keys)");
      }
      if (!names.add(name)) {
        throw RebuildException.badInput(
            PARAMETER,
            where + ": the name '" + name + "' is used twice; give each release its own");
      }
      List<Path> published = new ArrayList<>();
      List<URI> urls = new ArrayList<>();
      for (String p : strings(r, "published", where)) {
        if (isUrl(p)) {
          urls.add(url(p, where));
        } else {
          published.add(base.resolve(p).normalize());
        }
      }
      List<String> images = strings(r, "images", where);
      List<String> github = strings(r, "github", where);
      if (published.isEmpty() && urls.isEmpty() && images.isEmpty() && github.isEmpty()) {
        throw RebuildException.badInput(
            PARAMETER,
            where
                + " ("
                + name
                + ") names nothing published; give \"published\", \"images\" or \"github\"");
      }
      out.add(
          new ReleaseToCheck(
              name, tag, text(r, "project", where, false), published, urls, images, github));
    }
    return out;
  }

  /** An {@code http://} or {@code https://} location. */
  public static boolean isUrl(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  /**
   * A published file's URL: http(s), with a host and a file name.
   *
   * @param where names the release or parameter in the message
   */
  public static URI url(String text, String where) throws RebuildException {
    try {
      URI u = new URI(text);
      if (u.getHost() == null || u.getPath() == null || u.getPath().endsWith("/")) {
        throw new URISyntaxException(text, "no host or no file name");
      }
      return u;
    } catch (URISyntaxException e) {
      throw RebuildException.badInput(
          PARAMETER,
          where
              + ": '"
              + Redaction.redact(text)
              + "' is not the URL of a published file ("
              + e.getReason()
              + ")");
    }
  }

  private static String text(JsonNode r, String key, String where, boolean required)
      throws RebuildException {
    JsonNode v = r.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw RebuildException.badInput(PARAMETER, where + " has no \"" + key + "\"; " + FORM);
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw RebuildException.badInput(
          PARAMETER, where + ": \"" + key + "\" must be a non-empty string");
    }
    return v.asText().trim();
  }

  private static List<String> strings(JsonNode r, String key, String where)
      throws RebuildException {
    JsonNode v = r.get(key);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw RebuildException.badInput(
          PARAMETER, where + ": \"" + key + "\" must be a list of strings");
    }
    for (JsonNode e : v) {
      if (!e.isTextual() || e.asText().isBlank()) {
        throw RebuildException.badInput(
            PARAMETER, where + ": \"" + key + "\" must be a list of non-empty strings");
      }
      out.add(e.asText().trim());
    }
    return out;
  }
}
