package dev.rebuild.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.exec.CommonsExecProcessRunner;
import dev.rebuild.core.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * {@code govulncheck} (pinned in {@link TestTools}), the reference the vulnerability scan and the
 * VEX are checked against.
 */
public final class Govulncheck {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Govulncheck() {}

  /**
   * The {@code finding} objects of {@code govulncheck -mode binary -scan module -format json} on a
   * binary, against a database directory in the vuln.go.dev layout.
   */
  public static List<JsonNode> findings(Path binary, Path database, Path workDirectory)
      throws IOException {
    ProcessRunner.ExecResult r =
        new CommonsExecProcessRunner()
            .run(
                List.of(
                    TestTools.tool("govulncheck").toString(),
                    "-mode",
                    "binary",
                    "-scan",
                    "module",
                    "-format",
                    "json",
                    "-db",
                    database.toUri().toString(),
                    binary.toString()),
                workDirectory,
                new HashMap<>(System.getenv()),
                Duration.ofMinutes(5));
    if (!r.ok()) {
      throw new AssertionError("govulncheck failed: " + r.tail(20));
    }
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(r.stdout())) {
      while (it.hasNext()) {
        JsonNode finding = it.next().path("finding");
        if (!finding.isMissingNode()) {
          out.add(finding);
        }
      }
    }
    return out;
  }
}
