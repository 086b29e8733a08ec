package dev.rebuild.core.buildinfo;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module information parser against Go's own {@code runtime/debug.ParseBuildInfo}, run on the
 * same texts by a small Go program: quoting, escapes, replacements and every error Go reports.
 */
class ModInfoParserTest {
  @TempDir Path tmp;

  static final List<String> CASES =
      List.of(
          "path\tex.com/a\nmod\tex.com/a\tv1.0.0\th1:abc=\n",
          "path\tex.com/a\nmod\tex.com/a\t(devel)\t\n=>\t../a\t\t\n",
          "dep\tex.com/b\tv1.2.3\th1:x=\n=>\tex.com/c\tv1.0.0\th1:y=\ndep\tex.com/d\tv0.1.0\n",
          "build\t-ldflags=\"-s -w -X \\\"main.v=1 2\\\"\"\nbuild\tGOOS=linux\n",
          "build\t\"key with space\"=\"a\\tb\\u00e9\\x41\\101\\U0001F600\"\n",
          "build\t`raw key`=`raw\rvalue \"q\"`\n",
          "build\tempty=\nbuild\tCGO_CFLAGS=\n",
          "build\tk=v\nunknown line\tignored\nbuild\tlast=no-newline",
          "build\t=v\n",
          "build\tk\n",
          "build\t\n",
          "build\tk=a b\n",
          "build\tk=\"unterminated\n",
          "build\t\"k\"x=v\n",
          "build\t\"k\"\n",
          "build\t\"k=v\n",
          "build\tk=\"bad \\q escape\"\n",
          "build\tk=\"\\ud800\"\n",
          "build\t\"k\\\"=v\n",
          "build\tk y=v\n",
          "build\tk\ty=v\n",
          "build\tk=a\tb\n",
          "build\tk=a\\b\"\n",
          "mod\tex.com/a\n",
          "mod\tex.com/a\tv1\th1\textra\n",
          "=>\tex.com/c\tv1.0.0\th1:y=\n",
          "mod\tex.com/a\tv1\n=>\tex.com/c\tv1.0.0\n",
          "dep\tex.com/b\tv1\n=>\tex.com/c\tv1\th\n=>\tex.com/e\tv1\th\n",
          "path\tx\n\n\nbuild\tk=v\nbuild\t`k`=\"v\n");

  @Test
  void parsesEveryTextExactlyAsGoDoes() throws IOException {
    GoFixtures fx = GoFixtures.get();
    Path prog = tmp.resolve("parse");
    GoFixtures.write(prog.resolve("go.mod"), "module example.com/parse\n\ngo 1.21\n");
    GoFixtures.write(
        prog.resolve("main.go"),
        String.join(
            "\n",
            "package main",
            "",
            "import (",
            "\t\"encoding/json\"",
            "\t\"os\"",
            "\t\"runtime/debug\"",
            ")",
            "",
            "func main() {",
            "\tvar cases []string",
            "\tjson.NewDecoder(os.Stdin).Decode(&cases)",
            "\ttype result struct {",
            "\t\tInfo *debug.BuildInfo",
            "\t\tErr  string",
            "\t}",
            "\tvar out []result",
            "\tfor _, c := range cases {",
            "\t\tbi, err := debug.ParseBuildInfo(c)",
            "\t\tr := result{Info: bi}",
            "\t\tif err != nil {",
            "\t\t\tr.Err = err.Error()",
            "\t\t}",
            "\t\tout = append(out, r)",
            "\t}",
            "\tjson.NewEncoder(os.Stdout).Encode(out)",
            "}",
            ""));
    Path input = tmp.resolve("cases.json");
    ObjectMapper json = new ObjectMapper();
    json.writeValue(input.toFile(), CASES);
    ExecResult built =
        fx.go(GoFixtures.GO.toString(), "local", Map.of(), prog, "build", "-o", "parse", ".");
    if (!built.ok()) {
      fail("go build failed:\n" + built.tail(10));
    }
    ExecResult ran = fx.go("/bin/sh", "local", Map.of(), prog, "-c", "./parse < " + input);
    if (!ran.ok()) {
      fail("parse failed:\n" + ran.tail(10));
    }
    JsonNode results = json.readTree(ran.stdout());
    assertEquals(CASES.size(), results.size());

    List<Executable> checks = new ArrayList<>();
    for (int i = 0; i < CASES.size(); i++) {
      String text = CASES.get(i);
      JsonNode go = results.get(i);
      String label = "case " + i + ": " + json.writeValueAsString(text);
      String ours;
      try {
        ours = describe(ModInfoParser.parse("", text));
      } catch (ModInfoParser.ParseException e) {
        ours = "error: " + e.getMessage();
      }
      String expected =
          go.path("Err").asText("").isEmpty()
              ? describe(fromGo(go.path("Info")))
              : "error: " + go.path("Err").asText();
      String actual = ours;
      checks.add(() -> assertEquals(expected, actual, label));
    }
    assertAll(checks);
  }

  private static BuildInfo fromGo(JsonNode n) {
    List<Module> deps = new ArrayList<>();
    n.path("Deps").forEach(d -> deps.add(module(d)));
    List<Setting> settings = new ArrayList<>();
    n.path("Settings")
        .forEach(
            s -> settings.add(new Setting(s.path("Key").asText(""), s.path("Value").asText(""))));
    JsonNode main = n.path("Main");
    return new BuildInfo(
        "", n.path("Path").asText(""), main.isEmpty() ? null : module(main), deps, settings);
  }

  private static Module module(JsonNode m) {
    JsonNode rep = m.path("Replace");
    return new Module(
        m.path("Path").asText(""),
        m.path("Version").asText(""),
        m.path("Sum").asText(""),
        rep.isMissingNode() || rep.isNull() ? null : module(rep));
  }

  private static String describe(BuildInfo info) {
    return info.toString();
  }
}
