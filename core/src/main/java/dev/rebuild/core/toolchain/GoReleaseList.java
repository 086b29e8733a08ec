package dev.rebuild.core.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.model.GoVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The Go release list, newest first. */
public record GoReleaseList(List<GoRelease> releases) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public GoReleaseList {
    releases =
        releases.stream().sorted(Comparator.comparing(GoRelease::version).reversed()).toList();
  }

  /**
   * Reads go.dev's JSON: {@code [{"version":"go1.22.12","stable":true,"files":[{"filename",
   * "os","arch","version","sha256","size","kind"}]}]}. Entries whose version is not a Go release
   * are skipped.
   *
   * @throws IOException when the text is not such a list
   */
  public static GoReleaseList parse(InputStream in, String where) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (IOException e) {
      throw new IOException("the Go release list " + where + " is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IOException(
          "the Go release list "
              + where
              + " is not a JSON array of releases as https://go.dev/dl/?mode=json&include=all"
              + " serves");
    }
    List<GoRelease> out = new ArrayList<>();
    for (JsonNode r : root) {
      GoVersion v = GoVersion.parseOrNull(r.path("version").asText(""));
      if (v == null) {
        continue;
      }
      List<GoRelease.File> files = new ArrayList<>();
      for (JsonNode f : r.path("files")) {
        files.add(
            new GoRelease.File(
                f.path("filename").asText(""),
                f.path("os").asText(""),
                f.path("arch").asText(""),
                f.path("sha256").asText("").toLowerCase(Locale.ROOT),
                f.path("size").asLong(-1),
                f.path("kind").asText("")));
      }
      out.add(new GoRelease(v, r.path("stable").asBoolean(false), files));
    }
    return new GoReleaseList(out);
  }

  public Optional<GoRelease> find(GoVersion version) {
    return releases.stream().filter(r -> r.version().equals(version)).findFirst();
  }

  /** The newest stable release, of {@code line} when it is not null. */
  public Optional<GoRelease> newestStable(GoVersion line) {
    return releases.stream()
        .filter(GoRelease::stable)
        .filter(r -> r.version().isStable())
        .filter(r -> line == null || line.sameLine(r.version()))
        .findFirst();
  }
}
