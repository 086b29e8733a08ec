package dev.rebuild.core.provenance;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.rebuild.core.testing.JsonSchemas;
import org.junit.jupiter.api.Test;

/** The schemas the release tests validate against refuse what the specifications forbid. */
class DocumentSchemasTest {

  static final String DIGEST = "a".repeat(64);

  @Test
  void aStatementNeedsSubjectsWithDigests() {
    String ok =
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\""
            + DIGEST
            + "\"}}],\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}";
    assertNull(JsonSchemas.failure(JsonSchemas.IN_TOTO_STATEMENT, ok));
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.IN_TOTO_STATEMENT,
            ok.replace(",\"digest\":{\"sha256\":\"" + DIGEST + "\"}", "")));
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.IN_TOTO_STATEMENT, ok.replace("Statement/v1", "Statement/v0.1")));
    assertNotNull(JsonSchemas.failure(JsonSchemas.IN_TOTO_STATEMENT, ok.replace(DIGEST, "xyz")));
  }

  @Test
  void aProvenanceNeedsABuildTypeParametersAndABuilderId() {
    String ok =
        "{\"buildDefinition\":{\"buildType\":\"https://rebuild.dev/b/v1\",\"externalParameters\":{},"
            + "\"resolvedDependencies\":[{\"uri\":\"git+https://h/r@refs/tags/v1\"}]},"
            + "\"runDetails\":{\"builder\":{\"id\":\"https://rebuild.dev/x\",\"version\":{\"a\":\"1\"}}}}";
    assertNull(JsonSchemas.failure(JsonSchemas.SLSA_PROVENANCE, ok));
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.SLSA_PROVENANCE, ok.replace("\"id\":\"https://rebuild.dev/x\",", "")));
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.SLSA_PROVENANCE, ok.replace("\"externalParameters\":{},", "")));
    // A resource descriptor with neither uri, digest nor content.
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.SLSA_PROVENANCE,
            ok.replace("\"uri\":\"git+https://h/r@refs/tags/v1\"", "\"name\":\"x\"")));
    assertNotNull(
        JsonSchemas.failure(JsonSchemas.SLSA_PROVENANCE, ok.replace("{\"a\":\"1\"}", "\"1.0\"")));
  }

  @Test
  void anAffectedStatementNeedsAnActionAndADocumentAStatement() {
    String ok =
        "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"https://rebuild.dev/vex/x\","
            + "\"author\":\"a\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"version\":1,\"statements\":["
            + "{\"vulnerability\":{\"name\":\"GO-2024-2887\"},\"products\":[{\"@id\":\"pkg:generic/x@1\"}],"
            + "\"status\":\"affected\",\"action_statement\":\"update\"}]}";
    assertNull(JsonSchemas.failure(JsonSchemas.OPENVEX, ok));
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.OPENVEX, ok.replace(",\"action_statement\":\"update\"", "")));
    assertNotNull(
        JsonSchemas.failure(JsonSchemas.OPENVEX, ok.replace("\"affected\"", "\"patched\"")));
    assertNotNull(
        JsonSchemas.failure(JsonSchemas.OPENVEX, ok.replace("2024-01-01T00:00:00Z", "yesterday")));
    assertNotNull(
        JsonSchemas.failure(
            JsonSchemas.OPENVEX,
            ok.substring(0, ok.indexOf("\"statements\"")) + "\"statements\":[]}"));
  }
}
