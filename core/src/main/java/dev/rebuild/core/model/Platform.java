package dev.rebuild.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Go build target: GOOS/GOARCH plus the GOARM or GOAMD64 variant where one is set.
 *
 * <p>Written {@code linux/amd64}, {@code linux/arm/7} (GOARM=7), {@code linux/amd64/v3}
 * (GOAMD64=v3).
 */
public record Platform(String os, String arch, String variant) implements Comparable<Platform> {

  /** GOOS values of {@code go tool dist list} (Go 1.21 to 1.26). */
  public static final Set<String> KNOWN_OS =
      Set.of(
          "aix",
          "android",
          "darwin",
          "dragonfly",
          "freebsd",
          "illumos",
          "ios",
          "js",
          "linux",
          "netbsd",
          "openbsd",
          "plan9",
          "solaris",
          "wasip1",
          "windows");

  /** GOARCH values of {@code go tool dist list} (Go 1.21 to 1.26). */
  public static final Set<String> KNOWN_ARCH =
      Set.of(
          "386",
          "amd64",
          "arm",
          "arm64",
          "loong64",
          "mips",
          "mips64",
          "mips64le",
          "mipsle",
          "ppc64",
          "ppc64le",
          "riscv64",
          "s390x",
          "wasm");

  public Platform {
    if (!KNOWN_OS.contains(os)) {
      throw new IllegalArgumentException(
          "unknown GOOS '" + os + "'; known: " + String.join(", ", new TreeSet<>(KNOWN_OS)));
    }
    if (!KNOWN_ARCH.contains(arch)) {
      throw new IllegalArgumentException(
          "unknown GOARCH '" + arch + "'; known: " + String.join(", ", new TreeSet<>(KNOWN_ARCH)));
    }
    variant = variant == null ? "" : variant;
    if (!variant.isEmpty()) {
      boolean ok =
          switch (arch) {
            case "arm" -> variant.matches("[567]");
            case "amd64" -> variant.matches("v[1-4]");
            default -> false;
          };
      if (!ok) {
        throw new IllegalArgumentException(
            "variant '"
                + variant
                + "' does not fit GOARCH "
                + arch
                + "; use 5, 6 or 7 for arm (GOARM) and v1 to v4 for amd64 (GOAMD64)");
      }
    }
  }

  public Platform(String os, String arch) {
    this(os, arch, "");
  }

  /**
   * Parses {@code os/arch[/variant]}.
   *
   * @throws IllegalArgumentException naming the expected form
   */
  public static Platform parse(String text) {
    String t = text == null ? "" : text.trim();
    String[] parts = t.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "malformed target '"
              + text
              + "': use GOOS/GOARCH, optionally /GOARM or /GOAMD64, e.g. linux/amd64, linux/arm/7,"
              + " linux/amd64/v3");
    }
    String variant = parts.length == 3 ? parts[2] : "";
    if (parts[1].equals("arm") && variant.startsWith("v")) {
      variant = variant.substring(1);
    }
    try {
      return new Platform(parts[0], parts[1], variant);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed target '" + text + "': " + e.getMessage(), e);
    }
  }

  /** Parses a comma- or whitespace-separated list, keeping order and dropping repeats. */
  public static List<Platform> parseList(String text) {
    List<Platform> out = new ArrayList<>();
    for (String part : text.split("[,\\s]+")) {
      if (!part.isBlank()) {
        Platform p = parse(part);
        if (!out.contains(p)) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /** The Go environment that selects this platform. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GOOS", os);
    env.put("GOARCH", arch);
    if (!variant.isEmpty()) {
      env.put(arch.equals("arm") ? "GOARM" : "GOAMD64", variant);
    }
    return env;
  }

  /** The {@code {arch}} placeholder: GOARCH, with the variant appended ({@code armv7}). */
  public String archLabel() {
    if (variant.isEmpty()) {
      return arch;
    }
    return arch + (variant.startsWith("v") ? variant : "v" + variant);
  }

  /** The suffix Go gives executables on this OS. */
  public String executableSuffix() {
    return os.equals("windows") ? ".exe" : "";
  }

  @Override
  public int compareTo(Platform o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return variant.isEmpty() ? os + "/" + arch : os + "/" + arch + "/" + variant;
  }
}
