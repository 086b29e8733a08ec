package dev.rebuild.core.verify;

import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.GoBuildInfoModel;
import dev.rebuild.core.buildinfo.GoBuildInfoModel.ModuleVersion;
import dev.rebuild.core.buildinfo.Module;
import dev.rebuild.core.buildinfo.Setting;
import dev.rebuild.core.model.GoVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * "Equal to the original but for Go": compares the build information of an original binary with
 * that of its rebuild, and sorts every difference into one the Go release change alone explains
 * ({@link Kind#EXPECTED}: reported, not a failure), one the recipe explains ({@link Kind#FAILURE}),
 * or one the original does not record enough to decide ({@link Kind#UNKNOWN}). The knowledge of
 * what each Go release writes is {@link GoBuildInfoModel}'s.
 *
 * @param originalGo the original's Go as embedded
 * @param rebuiltGo the rebuild's Go as embedded
 * @param differences sorted by field
 * @param notComparable null, or why the build settings could not be compared at all (the original's
 *     Go records none)
 */
public record BuildComparison(
    String originalGo, String rebuiltGo, List<Difference> differences, String notComparable) {

  public BuildComparison {
    differences = List.copyOf(differences);
  }

  /** How a difference is judged. */
  public enum Kind {
    /** The recipe (or the source) differs: the rebuild is not the original but for Go. */
    FAILURE,
    /** What the newer Go writes by itself; listed, not a failure. */
    EXPECTED,
    /** The original does not record enough to tell; listed, not a failure. */
    UNKNOWN
  }

  /**
   * One field that differs.
   *
   * @param field {@code main package}, {@code main module}, {@code dependency <path>} or {@code
   *     setting <key>}
   * @param original the original's value, null when absent
   * @param rebuilt the rebuild's value, null when absent
   * @param kind how it is judged
   * @param reason why, for {@link Kind#EXPECTED} and {@link Kind#UNKNOWN} and where a failure has a
   *     known cause; may be null
   */
  public record Difference(
      String field, String original, String rebuilt, Kind kind, String reason) {
    public Difference {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(kind, "kind");
    }

    /**
     * {@code setting GOARM64: absent -> v8.0 (expected with go1.23: ...)}; long values of what is
     * not a failure (a {@code DefaultGODEBUG} list) are shortened, failures show them whole.
     */
    public String describe() {
      String text = field + ": " + shown(original) + " -> " + shown(rebuilt);
      return reason == null ? text : text + " (" + reason + ")";
    }

    private String shown(String v) {
      if (v == null) {
        return "absent";
      }
      return kind != Kind.FAILURE && v.length() > 60 ? v.substring(0, 60) + "…" : v;
    }
  }

  /** The differences of one kind. */
  public List<Difference> of(Kind kind) {
    return differences.stream().filter(d -> d.kind() == kind).toList();
  }

  /** True when nothing but what the Go release change explains differs. */
  public boolean equalButForGo() {
    return of(Kind.FAILURE).isEmpty();
  }

  /** One line for a check message: failures first, then what was expected or unknown. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    of(Kind.FAILURE).forEach(d -> parts.add(d.describe()));
    if (notComparable != null) {
      parts.add(notComparable);
    }
    of(Kind.EXPECTED).forEach(d -> parts.add(d.describe()));
    of(Kind.UNKNOWN).forEach(d -> parts.add(d.describe()));
    if (parts.isEmpty()) {
      return "equal but for the Go version (" + originalGo + " -> " + rebuiltGo + ")";
    }
    return String.join("; ", parts);
  }

  /** The original value of a setting the original's Go does not record. */
  public static final String NOT_RECORDED = "(not recorded)";

  private static final Set<String> VCS_KEYS =
      Set.of("vcs", "vcs.revision", "vcs.time", "vcs.modified");

  /** Compares {@code original} with {@code rebuilt}. */
  public static BuildComparison of(BuildInfo original, BuildInfo rebuilt) {
    GoVersion og = original.parsedGoVersion();
    GoVersion rg = rebuilt.parsedGoVersion();
    List<Difference> out = new ArrayList<>();
    if (!Objects.equals(original.path(), rebuilt.path())) {
      out.add(failure("main package", original.path(), rebuilt.path(), null));
    }
    compareMainModule(original, rebuilt, og, rg, out);
    Map<String, String> beforeDeps = deps(original);
    Map<String, String> afterDeps = deps(rebuilt);
    for (String key : union(beforeDeps.keySet(), afterDeps.keySet())) {
      String a = beforeDeps.get(key);
      String b = afterDeps.get(key);
      if (!Objects.equals(a, b)) {
        out.add(failure("dependency " + key, a, b, null));
      }
    }
    String notComparable = null;
    if (og != null && !GoBuildInfoModel.recordsSettings(og)) {
      notComparable =
          "not comparable: original built with "
              + og
              + ", which records no build settings (Go "
              + GoBuildInfoModel.FIRST_WITH_SETTINGS.line()
              + " added them); only the main package, module and dependencies were compared";
    } else {
      compareSettings(original, rebuilt, og, rg, out);
    }
    return new BuildComparison(original.goVersion(), rebuilt.goVersion(), out, notComparable);
  }

  private static void compareMainModule(
      BuildInfo original, BuildInfo rebuilt, GoVersion og, GoVersion rg, List<Difference> out) {
    Module a = original.main();
    Module b = rebuilt.main();
    if (a == null || b == null) {
      if (a != b) {
        out.add(
            failure("main module", module(a), module(b), "one of them was built without modules"));
      }
      return;
    }
    if (!a.path().equals(b.path())) {
      out.add(failure("main module", module(a), module(b), null));
      return;
    }
    if (a.version().equals(b.version())) {
      return;
    }
    String commit = rebuilt.setting("vcs.revision");
    String originalCommit = original.setting("vcs.revision");
    if (commit != null && originalCommit != null && !commit.equals(originalCommit)) {
      out.add(
          failure(
              "main module",
              module(a),
              module(b),
              "built from different commits: "
                  + abbrev(originalCommit)
                  + " and "
                  + abbrev(commit)));
      return;
    }
    if (commit == null) {
      commit = originalCommit;
    }
    String time = GoBuildInfoModel.pseudoTime(rebuilt.setting("vcs.time"));
    if (time == null) {
      time = GoBuildInfoModel.pseudoTime(original.setting("vcs.time"));
    }
    ModuleVersion va = GoBuildInfoModel.moduleVersion(a.version());
    ModuleVersion vb = GoBuildInfoModel.moduleVersion(b.version());
    String ra = namesCommit(va, og, original, commit, time);
    String rb = namesCommit(vb, rg, rebuilt, commit, time);
    if (ra == null || rb == null) {
      String why =
          isDirty(va) || isDirty(vb)
              ? "built from a modified work tree"
              : "the versions do not name the same commit";
      out.add(failure("main module", module(a), module(b), why));
      return;
    }
    if (va instanceof ModuleVersion.Tagged && vb instanceof ModuleVersion.Tagged) {
      out.add(failure("main module", module(a), module(b), "different tags"));
      return;
    }
    String reason;
    if (va instanceof ModuleVersion.Devel && !ra.isEmpty()) {
      reason = ra;
    } else if (vb instanceof ModuleVersion.Devel && !rb.isEmpty()) {
      reason = rb;
    } else if (va instanceof ModuleVersion.Pseudo) {
      reason = "both name commit " + abbrev(commit) + "; the original was built before its tag";
    } else {
      reason = "both name commit " + abbrev(commit);
    }
    out.add(new Difference("main module", module(a), module(b), Kind.EXPECTED, reason));
  }

  /**
   * Null when {@code v} cannot be what {@code go} writes for {@code commit}; else why it is (empty
   * when nothing needs saying).
   */
  private static String namesCommit(
      ModuleVersion v, GoVersion go, BuildInfo info, String commit, String time) {
    if (v instanceof ModuleVersion.Devel) {
      if (go != null && !GoBuildInfoModel.stampsModuleVersion(go)) {
        return "expected with go"
            + GoBuildInfoModel.FIRST_WITH_VCS_MODULE_VERSION.line()
            + ": Go "
            + GoBuildInfoModel.FIRST_WITH_VCS_MODULE_VERSION.line()
            + " and later stamp the main module's version from version control, "
            + go
            + " writes (devel)";
      }
      return info.setting("vcs.revision") == null
          ? "built without VCS information (outside a git work tree or with -buildvcs=false),"
              + " so Go writes (devel)"
          : null;
    }
    if (v instanceof ModuleVersion.Tagged t) {
      return !t.dirty() && go != null && GoBuildInfoModel.stampsModuleVersion(go) ? "" : null;
    }
    if (v instanceof ModuleVersion.Pseudo p) {
      return !p.dirty() && p.names(commit, time) ? "" : null;
    }
    return null;
  }

  private static boolean isDirty(ModuleVersion v) {
    return (v instanceof ModuleVersion.Tagged t && t.dirty())
        || (v instanceof ModuleVersion.Pseudo p && p.dirty());
  }

  private static void compareSettings(
      BuildInfo original, BuildInfo rebuilt, GoVersion og, GoVersion rg, List<Difference> out) {
    Map<String, String> before = settings(original);
    Map<String, String> after = settings(rebuilt);
    boolean originalHasVcs = before.containsKey("vcs.revision");
    boolean originalTrimpath = "true".equals(before.get("-trimpath"));
    boolean cgoDiffers = !Objects.equals(before.get("CGO_ENABLED"), after.get("CGO_ENABLED"));
    if (og != null
        && !GoBuildInfoModel.records(og, "-trimpath")
        && !after.containsKey("-trimpath")) {
      // Recorded only from go1.19: whether the original used it is unknown, not "absent".
      out.add(
          new Difference(
              "setting -trimpath",
              NOT_RECORDED,
              null,
              Kind.UNKNOWN,
              og + " does not record -trimpath; cannot tell whether the original used it"));
    }
    for (String key : union(before.keySet(), after.keySet())) {
      String a = before.get(key);
      String b = after.get(key);
      if (Objects.equals(a, b)) {
        continue;
      }
      String field = "setting " + key;
      if (GoBuildInfoModel.derivedFromGoVersion(key)) {
        if (og == null || !og.equals(rg)) {
          out.add(
              expected(
                  field,
                  a,
                  b,
                  "expected with "
                      + orDevel(rg)
                      + ": Go derives it from its own version and go.mod's go line"));
        } else {
          out.add(failure(field, a, b, "same Go, so the source's //go:debug lines differ"));
        }
      } else if (VCS_KEYS.contains(key) && !originalHasVcs) {
        out.add(
            expected(
                field,
                a,
                b,
                "the original carries no VCS information (built outside a git work tree or with"
                    + " -buildvcs=false)"));
      } else if (key.equals("-pgo") && a != null && b != null && baseName(a).equals(baseName(b))) {
        // Without -trimpath Go records the profile's absolute path, which names the checkout.
        continue;
      } else if (key.equals("-pgo")
          && a == null
          && og != null
          && og.compareTo(GoVersion.parse("1.21")) < 0) {
        out.add(
            expected(
                field,
                null,
                b,
                "expected with go1.21: -pgo=auto became the default and the main package has a"
                    + " default.pgo"));
      } else if (GoBuildInfoModel.isCgoFlag(key) && cgoDiffers) {
        continue; // follows from CGO_ENABLED, which is reported itself
      } else if (a == null && originalTrimpath && GoBuildInfoModel.hiddenByTrimpath(key)) {
        out.add(
            new Difference(
                field,
                NOT_RECORDED,
                b,
                Kind.UNKNOWN,
                "Go does not record " + key + " for a -trimpath build like the original"));
      } else if (a == null && og != null && !GoBuildInfoModel.records(og, key)) {
        out.add(unrecorded(field, key, b, og, rg));
      } else if (b == null && rg != null && !GoBuildInfoModel.records(rg, key)) {
        out.add(expected(field, a, null, rg + " does not record " + key));
      } else if (a == null
          && og != null
          && !GoBuildInfoModel.records(og, "-trimpath")
          && GoBuildInfoModel.dropsFlagsWithTrimpath(og)
          && key.equals("-ldflags")) {
        out.add(
            failure(
                field,
                null,
                b,
                og
                    + " omits -ldflags when built with -trimpath and does not record -trimpath;"
                    + " the original was built with -trimpath or without -ldflags"));
      } else if (key.equals("GOARM")
          && og != null
          && rg != null
          && a != null
          && b != null
          && a.equals(GoBuildInfoModel.archDefault(og, key).orElse(null))
          && b.equals(GoBuildInfoModel.archDefault(rg, key).orElse(null))) {
        out.add(
            failure(
                field,
                a,
                b,
                "Go 1.21 changed the default GOARM from 5 to 7: the original runs on ARMv5 and"
                    + " later, the rebuild needs ARMv7; name the variant in the target (linux/arm/"
                    + a
                    + ") to keep the original's"));
      } else {
        out.add(failure(field, a, b, null));
      }
    }
  }

  /** The original's Go did not record {@code key}; the rebuild's does. */
  private static Difference unrecorded(
      String field, String key, String b, GoVersion og, GoVersion rg) {
    String since = rg == null ? "a later Go" : "go" + GoBuildInfoModel.firstRecording(key).line();
    boolean archVariable = GoBuildInfoModel.archDefault(rg == null ? og : rg, key).isPresent();
    String implicit = rg == null ? null : GoBuildInfoModel.implicitValue(rg, key).orElse(null);
    if (b != null && b.equals(implicit)) {
      return expected(
          field,
          null,
          b,
          "expected with "
              + since
              + ": "
              + og
              + " does not record "
              + key
              + ", later Go records its default");
    }
    if (archVariable) {
      return failure(
          field, null, b, og + " does not record " + key + " and always built for " + implicit);
    }
    return new Difference(
        field,
        NOT_RECORDED,
        b,
        Kind.UNKNOWN,
        og + " does not record " + key + "; cannot tell whether the original used it");
  }

  private static Difference expected(String field, String a, String b, String reason) {
    return new Difference(field, a, b, Kind.EXPECTED, reason);
  }

  private static Difference failure(String field, String a, String b, String reason) {
    return new Difference(field, a, b, Kind.FAILURE, reason);
  }

  private static String orDevel(GoVersion v) {
    return v == null ? "a development Go" : v.toString();
  }

  private static String abbrev(String commit) {
    return commit == null ? "?" : commit.substring(0, Math.min(12, commit.length()));
  }

  private static String baseName(String path) {
    return path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  }

  private static String module(Module m) {
    return m == null ? null : m.path() + "@" + m.version();
  }

  private static Map<String, String> deps(BuildInfo info) {
    Map<String, String> out = new TreeMap<>();
    for (Module m : info.deps()) {
      String v = m.version() + (m.sum().isEmpty() ? "" : " " + m.sum());
      if (m.replacement() != null) {
        v += " => " + m.replacement().path() + "@" + m.replacement().version();
      }
      out.put(m.path(), v);
    }
    return out;
  }

  private static Map<String, String> settings(BuildInfo info) {
    Map<String, String> out = new TreeMap<>();
    for (Setting s : info.settings()) {
      out.putIfAbsent(s.key(), s.value());
    }
    return out;
  }

  private static TreeSet<String> union(Set<String> a, Set<String> b) {
    TreeSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
