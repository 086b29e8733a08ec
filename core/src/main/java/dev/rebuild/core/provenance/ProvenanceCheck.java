package dev.rebuild.core.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.rebuild.core.RebuildException;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.buildinfo.ScannedFile;
import dev.rebuild.core.io.LimitedInputStream;
import dev.rebuild.core.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks rebuilt artifacts against their SLSA provenance, as a third party would: the artifact's
 * sha256 is a subject of the statement, and every Go binary in it reports the Go version and the
 * source commit ({@code vcs.revision}) the provenance records. The statement may be bare or in a
 * DSSE envelope; the envelope's signature is cosign's to check ({@code cosign
 * verify-blob-attestation --key}), not this class's.
 */
public final class ProvenanceCheck {

  /** The most a provenance file may hold: it is outside data. */
  public static final long MAX_BYTES = 16L << 20;

  /** One result line: which artifact, which check, and what was found. */
  public record Result(String artifact, String check, boolean passed, String message) {}

  private final List<JsonNode> statements;
  private final Path file;

  private ProvenanceCheck(Path file, List<JsonNode> statements) {
    this.file = file;
    this.statements = statements;
  }

  /**
   * Reads a provenance file: JSON lines, each an in-toto statement or a DSSE envelope of one.
   *
   * @throws RebuildException naming the parameter {@code provenance} when it is not one
   */
  public static ProvenanceCheck read(Path file) throws RebuildException {
    byte[] bytes;
    try (InputStream in =
        new LimitedInputStream(Files.newInputStream(file), MAX_BYTES, "the provenance " + file)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw RebuildException.badInput(
          "provenance",
          "cannot read the provenance "
              + file
              + ": "
              + e.getMessage()
              + "\nGive -Drebuild.provenance the <archive>.intoto.jsonl published next to the"
              + " archive (at most 16 MiB).");
    }
    List<JsonNode> out = new ArrayList<>();
    int n = 0;
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode statement;
      try {
        JsonNode json = InToto.mapper().readTree(line);
        Dsse.Envelope env = Dsse.read(json);
        statement = env == null ? json : InToto.mapper().readTree(env.payloadBytes());
      } catch (IOException | IllegalArgumentException e) {
        throw notProvenance(file, "line " + n + " is not JSON: " + e.getMessage());
      }
      if (!InToto.STATEMENT_V1.equals(statement.path("_type").asText())) {
        throw notProvenance(file, "line " + n + " is not an in-toto v1 statement");
      }
      if (!SlsaProvenance.PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
        throw notProvenance(
            file,
            "line "
                + n
                + " has predicateType "
                + statement.path("predicateType").asText()
                + ", not "
                + SlsaProvenance.PREDICATE_TYPE);
      }
      out.add(statement);
    }
    if (out.isEmpty()) {
      throw notProvenance(file, "it holds no statement");
    }
    return new ProvenanceCheck(file, out);
  }

  private static RebuildException notProvenance(Path file, String why) {
    return RebuildException.badInput(
        "provenance",
        file
            + " is not SLSA provenance: "
            + why
            + "\nGive -Drebuild.provenance the <archive>.intoto.jsonl published next to the"
            + " archive.");
  }

  /** Checks one artifact (an archive or a binary) against the statement naming its digest. */
  public List<Result> check(Path artifact, ArtifactScanner scanner) throws RebuildException {
    String name = artifact.getFileName().toString();
    List<Result> out = new ArrayList<>();
    String sha;
    try {
      sha = Digest.of(artifact).hex();
    } catch (IOException e) {
      throw RebuildException.badInput(
          "artifacts", "cannot read " + artifact + ": " + e.getMessage());
    }
    JsonNode statement = null;
    for (JsonNode s : statements) {
      for (JsonNode subject : s.path("subject")) {
        if (sha.equals(subject.path("digest").path("sha256").asText())) {
          statement = s;
        }
      }
    }
    if (statement == null) {
      out.add(
          new Result(
              name, "subject", false, "sha256 " + sha + " is no subject of " + file.getFileName()));
      return out;
    }
    out.add(new Result(name, "subject", true, "sha256 " + sha + " is a subject"));
    JsonNode predicate = statement.path("predicate");
    String go =
        dependency(predicate, SlsaProvenance.TOOLCHAIN)
            .path("annotations")
            .path("version")
            .asText(null);
    String commit =
        dependency(predicate, SlsaProvenance.SOURCE).path("digest").path("gitCommit").asText(null);
    List<ScannedFile> files;
    try {
      files = scanner.scan(artifact);
    } catch (IOException e) {
      throw RebuildException.tool("cannot read " + artifact + ": " + e.getMessage(), e);
    }
    int binaries = 0;
    for (ScannedFile f : files) {
      if (!(f.result() instanceof ReadResult.GoBinary b)) {
        continue;
      }
      binaries++;
      BuildInfo info = b.info();
      String got = String.valueOf(info.goVersion()).split(" ")[0];
      out.add(
          new Result(
              f.path(),
              "go-version",
              got.equals(go),
              "built with " + got + ", the provenance records " + go));
      String rev = info.setting("vcs.revision");
      out.add(
          new Result(
              f.path(),
              "vcs.revision",
              rev != null && rev.equals(commit),
              "vcs.revision=" + rev + ", the provenance records the commit " + commit));
    }
    if (binaries == 0) {
      out.add(new Result(name, "binaries", false, "holds no Go binary to compare"));
    }
    return out;
  }

  private static JsonNode dependency(JsonNode predicate, String name) {
    for (JsonNode d : predicate.path("buildDefinition").path("resolvedDependencies")) {
      if (name.equals(d.path("name").asText())) {
        return d;
      }
    }
    return MissingNode.getInstance();
  }
}
