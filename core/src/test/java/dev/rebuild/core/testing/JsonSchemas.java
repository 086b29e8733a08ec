package dev.rebuild.core.testing;

import com.github.erosb.jsonsKema.FormatValidationPolicy;
import com.github.erosb.jsonsKema.JsonParser;
import com.github.erosb.jsonsKema.Schema;
import com.github.erosb.jsonsKema.SchemaLoader;
import com.github.erosb.jsonsKema.SchemaLoaderConfig;
import com.github.erosb.jsonsKema.ValidationFailure;
import com.github.erosb.jsonsKema.Validator;
import com.github.erosb.jsonsKema.ValidatorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates documents against the JSON schemas in {@code src/test/resources/schemas/} (see the
 * README there), with json-sKema, formats checked. No schema is fetched from the network: they
 * refer to each other by their {@code $id}s, which map to the resources.
 */
public final class JsonSchemas {

  public static final String IN_TOTO_STATEMENT = "in-toto-statement-v1.schema.json";
  public static final String SLSA_PROVENANCE = "slsa-provenance-v1.schema.json";
  public static final String OPENVEX = "openvex-v0.2.0.schema.json";

  private static final String BASE = "https://rebuild.dev/test-schemas/";
  private static final List<String> ALL = List.of(IN_TOTO_STATEMENT, SLSA_PROVENANCE, OPENVEX);

  private JsonSchemas() {}

  /** The failure message, or null when {@code json} is valid. */
  public static String failure(String schema, String json) {
    Map<URI, String> mappings = new HashMap<>();
    for (String name : ALL) {
      mappings.put(URI.create(BASE + name), resource(name));
    }
    Schema s =
        new SchemaLoader(
                new JsonParser(resource(schema), URI.create(BASE + schema)).parse(),
                SchemaLoaderConfig.Companion.createDefaultConfig(mappings))
            .load();
    ValidationFailure f =
        Validator.create(s, new ValidatorConfig(FormatValidationPolicy.ALWAYS))
            .validate(new JsonParser(json).parse());
    return f == null ? null : f.toString();
  }

  public static void assertValid(String schema, String json) {
    String f = failure(schema, json);
    if (f != null) {
      throw new AssertionError(schema + " rejects the document:\n" + f + "\n" + json);
    }
  }

  private static String resource(String name) {
    try (InputStream in = JsonSchemas.class.getResourceAsStream("/schemas/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource schemas/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
