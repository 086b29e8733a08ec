package dev.rebuild.core.vuln;

import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: a {@link ScanTarget} from the output of {@code go version -m BINARY}, the
 * independent reader of Go build info. (The product reads build info in Java; this keeps the
 * agreement test independent of it.)
 */
final class GoVersionM {

  private GoVersionM() {}

  static ScanTarget parse(String name, String output) {
    String[] lines = output.split("\n");
    String first = lines[0];
    int colon = first.lastIndexOf(": ");
    if (colon < 0) {
      throw new IllegalArgumentException("not go version -m output: " + output);
    }
    String goVersion = first.substring(colon + 2).trim();
    String goos = "";
    String goarch = "";
    List<ModuleRef> modules = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split("\t", -1);
      if (f.length < 3 || !f[0].isEmpty()) {
        continue;
      }
      switch (f[1]) {
        case "mod", "dep" -> modules.add(new ModuleRef(f[2], f.length > 3 ? f[3] : ""));
        case "=>" -> modules.set(modules.size() - 1, new ModuleRef(f[2], f.length > 3 ? f[3] : ""));
        case "build" -> {
          if (f[2].startsWith("GOOS=")) {
            goos = f[2].substring("GOOS=".length());
          } else if (f[2].startsWith("GOARCH=")) {
            goarch = f[2].substring("GOARCH=".length());
          }
        }
        default -> {
          // path and other lines carry nothing a module scan uses
        }
      }
    }
    return new ScanTarget(name, goVersion, goos, goarch, modules);
  }
}
