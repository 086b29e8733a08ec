package dev.rebuild.core.infer;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.archive.ArchiveMembers;
import dev.rebuild.core.archive.ArchiveWriter;
import dev.rebuild.core.buildinfo.ArtifactScanner;
import dev.rebuild.core.buildinfo.BuildInfo;
import dev.rebuild.core.buildinfo.GoBuildInfoModel;
import dev.rebuild.core.buildinfo.ReadResult;
import dev.rebuild.core.buildinfo.ScannedFile;
import dev.rebuild.core.io.ArchiveLimits;
import dev.rebuild.core.model.GoVersion;
import dev.rebuild.core.model.Platform;
import dev.rebuild.core.recipe.ArchiveFormat;
import dev.rebuild.core.recipe.ArchiveSpec;
import dev.rebuild.core.recipe.NameTemplate;
import dev.rebuild.core.recipe.Recipe;
import dev.rebuild.core.release.ReleaseNames;
import dev.rebuild.core.stage.PackageStage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads how a release was built from its own artifacts: every Go binary's build information gives
 * its target, main package, flags and environment; the archive names, formats and layout give the
 * naming scheme; the other archive members are carried over unchanged. A value the original does
 * not record fails naming the parameter that supplies it; nothing is guessed.
 *
 * <p>Only build settings the original's Go records count ({@link GoBuildInfoModel#records}): a
 * setting that Go release did not write is unknown, not its default.
 */
public final class RecipeInference {

  /**
   * The release being rebuilt, for turning literal values back into placeholders.
   *
   * @param names the rebuild's names (its Go version): the rebuilt archives' names
   */
  public record Release(String commit, Instant commitTime, ReleaseNames names, String label) {
    public Release {
      label = label == null ? ReleaseNames.DEFAULT_LABEL : label;
    }

    /** With the default label. */
    public Release(String commit, Instant commitTime, ReleaseNames names) {
      this(commit, commitTime, names, null);
    }

    String tag() {
      return names.tag();
    }

    String version() {
      return names.version();
    }
  }

  /** The settings that make a build what it is, per binary; null where the original is silent. */
  private record Flags(
      String ldflags,
      boolean ldflagsKnown,
      List<String> tags,
      Boolean trimpath,
      List<String> buildFlags,
      SortedMap<String, String> env) {}

  /** One Go binary of the original and where it is. */
  private record Original(String member, String name, String dir, BuildInfo info, Flags flags) {}

  /** One original artifact (an archive) and the platform its binaries are built for. */
  private record Artifact(Path file, Platform platform, List<Original> binaries) {
    String fileName() {
      return file.getFileName().toString();
    }
  }

  private final List<String> notes = new ArrayList<>();
  private final SortedMap<String, String> binaryNames = new TreeMap<>();
  private final List<InferredRecipe.Source> sources = new ArrayList<>();

  private RecipeInference() {}

  /**
   * Infers the recipe from the original release's files.
   *
   * @param files the original release's files (archives, checksum files, ...), local; or, for a
   *     release shipped as a container image, one directory per platform image holding the Go
   *     binaries it carries (the rebuild then ships bare binaries unless an archive is given)
   * @param work scratch space for the archive members carried over
   * @throws RebuildException naming the parameter whose value the original does not show
   */
  public static InferredRecipe infer(
      List<Path> files, Release release, RecipeOverrides explicit, Path work)
      throws RebuildException {
    return new RecipeInference().run(files, release, explicit, work);
  }

  private InferredRecipe run(List<Path> files, Release release, RecipeOverrides explicit, Path work)
      throws RebuildException {
    List<Artifact> artifacts = read(files, work);
    SortedMap<Platform, Artifact> byPlatform = new TreeMap<>();
    for (Artifact a : artifacts) {
      Artifact other = byPlatform.put(a.platform(), a);
      if (other != null) {
        throw RebuildException.badInput(
            "original",
            "two original archives hold binaries for "
                + a.platform()
                + ": "
                + other.fileName()
                + " and "
                + a.fileName()
                + "\nPoint rebuild.original at a directory holding one release only.");
      }
    }
    Map<String, String> commitValues =
        ReleaseNames.commitPlaceholders(release.commit(), release.commitTime());
    Map<String, String> known =
        LdflagsTemplate.known(release.tag(), release.version(), commitValues);

    List<Platform> targets = new ArrayList<>(byPlatform.keySet());
    source(
        "targets",
        targets.stream().map(Platform::toString).toList().toString(),
        "GOOS/GOARCH"
            + " of "
            + String.join(", ", artifacts.stream().map(Artifact::fileName).toList()));

    List<String> packages = packages(byPlatform);
    SortedMap<Platform, Flags> flags = new TreeMap<>();
    for (Artifact a : byPlatform.values()) {
      flags.put(a.platform(), commonFlags(a));
    }

    // -ldflags: per target, literals turned back into placeholders.
    SortedMap<Platform, String> ldflags = new TreeMap<>();
    for (Artifact a : byPlatform.values()) {
      Flags f = flags.get(a.platform());
      if (!f.ldflagsKnown()) {
        if (explicit.ldflags() == null) {
          throw RebuildException.badInput(
              "ldflags",
              "the original "
                  + a.binaries().get(0).member()
                  + " was built with -trimpath by "
                  + a.binaries().get(0).info().goVersion()
                  + ", which does not record -ldflags; the original does not show them"
                  + "\nGive them: <ldflags> / -Drebuild.ldflags (e.g. -s -w -X"
                  + " main.version={version}), empty if none were used.");
        }
        continue;
      }
      if (f.ldflags() == null) {
        ldflags.put(a.platform(), "");
        continue;
      }
      LdflagsTemplate.Result r;
      try {
        r = LdflagsTemplate.of(f.ldflags(), known);
      } catch (IllegalArgumentException e) {
        throw RebuildException.badInput(
            "ldflags", e.getMessage() + "\nGive the -ldflags: <ldflags> / -Drebuild.ldflags.");
      }
      ldflags.put(a.platform(), r.template());
      for (String literal : r.literals()) {
        notes.add(
            a.platform()
                + ": -X "
                + literal
                + " matches no value of the release (version, tag, commit, commit time); kept"
                + " literal");
      }
    }
    NameTemplate commonLdflags = null;
    SortedMap<String, Recipe.TargetVariant> perTarget = new TreeMap<>();
    if (explicit.ldflags() != null) {
      commonLdflags = explicit.ldflags();
      source("ldflags", explicit.ldflags().text(), "explicit");
      for (Map.Entry<Platform, String> e : ldflags.entrySet()) {
        if (!e.getValue().equals(explicit.ldflags().text())) {
          notes.add(
              "the explicit <ldflags> '"
                  + explicit.ldflags().text()
                  + "' differ from the original's '"
                  + e.getValue()
                  + "' for "
                  + e.getKey()
                  + "; the same-as-original verification will fail");
        }
      }
    } else if (new HashSet<>(ldflags.values()).size() <= 1) {
      String text = ldflags.isEmpty() ? "" : ldflags.values().iterator().next();
      commonLdflags = text.isEmpty() ? null : template(text);
      source("ldflags", text, "-ldflags of every binary");
    } else {
      for (Map.Entry<Platform, String> e : ldflags.entrySet()) {
        perTarget.put(
            e.getKey().toString(),
            new Recipe.TargetVariant(template(e.getValue()), new TreeMap<>()));
        source(
            "ldflags[" + e.getKey() + "]",
            e.getValue(),
            "-ldflags of " + byPlatform.get(e.getKey()).fileName());
      }
    }

    List<String> tags = same(flags, Flags::tags, "tags", "-tags");
    Boolean trimpath = same(flags, Flags::trimpath, "trimpath", "-trimpath");
    List<String> buildFlags = same(flags, Flags::buildFlags, "buildFlags", "-buildmode, -gcflags");
    for (Artifact a : byPlatform.values()) {
      Flags f = flags.get(a.platform());
      if (f.trimpath() == null && explicit.trimpath() == null) {
        throw unknown(a, "-trimpath", "trimpath", "<trimpath> / -Drebuild.trimpath=true|false");
      }
      if (f.buildFlags() == null && explicit.buildFlags() == null) {
        throw unknown(
            a,
            "-buildmode",
            "buildFlags",
            "<buildFlags> / -Drebuild.buildFlags (e.g. -buildmode=exe)");
      }
    }

    // Environment: what every target shares goes to <env>, the rest per target.
    SortedMap<String, String> env = new TreeMap<>();
    Set<String> keys = new TreeSet<>();
    flags.values().forEach(f -> keys.addAll(f.env().keySet()));
    for (String key : keys) {
      Set<String> values = new HashSet<>();
      flags.values().forEach(f -> values.add(f.env().get(key)));
      if (values.size() == 1 && !values.contains(null)) {
        env.put(key, values.iterator().next());
        source("env." + key, env.get(key), key + " of every binary");
      } else {
        for (Map.Entry<Platform, Flags> e : flags.entrySet()) {
          String v = e.getValue().env().get(key);
          if (v != null) {
            Recipe.TargetVariant old =
                perTarget.getOrDefault(
                    e.getKey().toString(), new Recipe.TargetVariant(null, new TreeMap<>()));
            SortedMap<String, String> merged = new TreeMap<>(old.env());
            merged.put(key, v);
            perTarget.put(e.getKey().toString(), new Recipe.TargetVariant(old.ldflags(), merged));
            source(
                "env." + key + "[" + e.getKey() + "]",
                v,
                key + " of " + byPlatform.get(e.getKey()).fileName());
          }
        }
      }
    }
    for (Map.Entry<Platform, Flags> e : flags.entrySet()) {
      if ("1".equals(e.getValue().env().get("CGO_ENABLED"))) {
        notes.add(
            e.getKey()
                + " was built with CGO_ENABLED=1 and is rebuilt with it: a C toolchain for "
                + e.getKey()
                + " is needed (CC)");
      }
    }
    if (explicit.env() != null) {
      env.putAll(explicit.env());
      source("env", explicit.env().toString(), "explicit");
      for (Map.Entry<Platform, Flags> e : flags.entrySet()) {
        for (Map.Entry<String, String> given : explicit.env().entrySet()) {
          String original = e.getValue().env().get(given.getKey());
          if (original != null && !original.equals(given.getValue())) {
            notes.add(
                "the explicit <env> "
                    + given.getKey()
                    + "="
                    + given.getValue()
                    + " differs from the original's "
                    + original
                    + " for "
                    + e.getKey()
                    + "; the same-as-original verification will fail");
          }
        }
      }
      // A given variable wins over a target's own value too.
      perTarget.replaceAll(
          (target, v) -> {
            SortedMap<String, String> rest = new TreeMap<>(v.env());
            rest.keySet().removeAll(explicit.env().keySet());
            return new Recipe.TargetVariant(v.ldflags(), rest);
          });
      perTarget.values().removeIf(v -> v.ldflags() == null && v.env().isEmpty());
    }

    // Archives: name template, formats, binary directory, and the members carried over.
    boolean image = artifacts.stream().allMatch(a -> java.nio.file.Files.isDirectory(a.file()));
    ArchiveSpec archive;
    if (image) {
      archive = explicit.archive();
      notes.add(
          "the original is a container image: the binaries are "
              + (archive == null ? "shipped bare" : "packed as <archive> says")
              + "; the image itself is rebuilt only as <images> configures it");
    } else if (explicit.archive() != null) {
      archive = explicit.archive();
      source("archive.name", archive.name().text(), "explicit");
    } else {
      archive = archive(byPlatform, release);
    }
    SortedMap<Platform, List<ArchiveWriter.Entry>> extras =
        explicit.archive() == null && !image
            ? extras(byPlatform, archive, release, work)
            : new TreeMap<>();

    List<Platform> chosen = targets;
    if (explicit.targets() != null) {
      chosen = explicit.targets();
      source("targets", chosen.toString(), "explicit");
      for (Platform p : chosen) {
        if (!byPlatform.containsKey(p)) {
          notes.add("the explicit target " + p + " is not in the original release");
        }
      }
    }
    if (explicit.packages() != null) {
      packages = explicit.packages();
      source("packages", packages.toString(), "explicit");
    }
    Recipe recipe =
        new Recipe(
            explicit.projectName(),
            chosen,
            packages,
            commonLdflags,
            explicit.buildTags() != null ? explicit.buildTags() : tags,
            explicit.trimpath() != null ? explicit.trimpath() : Boolean.TRUE.equals(trimpath),
            explicit.buildFlags() != null ? explicit.buildFlags() : buildFlags,
            env,
            archive,
            perTarget,
            explicit.binaryNames() != null ? explicit.binaryNames() : binaryNames);
    explicitDiffers("tags", explicit.buildTags(), tags);
    explicitDiffers("trimpath", explicit.trimpath(), trimpath);
    explicitDiffers("buildFlags", explicit.buildFlags(), buildFlags);
    SortedMap<Platform, Path> originals = new TreeMap<>();
    byPlatform.forEach((p, a) -> originals.put(p, a.file()));
    return new InferredRecipe(recipe, sources, notes, originals, extras);
  }

  private void explicitDiffers(String parameter, Object given, Object original) {
    if (given != null && !given.equals(original)) {
      source(parameter, String.valueOf(given), "explicit");
      notes.add(
          "the explicit <"
              + parameter
              + "> "
              + given
              + " differs from the original's "
              + original
              + "; the same-as-original verification will fail");
    }
  }

  private static NameTemplate template(String text) {
    return NameTemplate.parse(text, NameTemplate.LDFLAGS_PLACEHOLDERS);
  }

  private void source(String parameter, String value, String from) {
    sources.add(new InferredRecipe.Source(parameter, value, from));
  }

  private static RebuildException unknown(
      Artifact a, String setting, String parameter, String how) {
    Original o = a.binaries().get(0);
    return RebuildException.badInput(
        parameter,
        "the original "
            + o.member()
            + " was built by "
            + o.info().goVersion()
            + ", which does not record "
            + setting
            + "; the original does not show whether it was used\nGive it: "
            + how
            + ".");
  }

  /** The value every target shares; differing values fail naming the parameter. */
  private <T> T same(
      SortedMap<Platform, Flags> flags,
      java.util.function.Function<Flags, T> get,
      String parameter,
      String setting)
      throws RebuildException {
    Set<T> values = new HashSet<>();
    flags.values().forEach(f -> values.add(get.apply(f)));
    if (values.size() > 1) {
      StringBuilder per = new StringBuilder();
      flags.forEach((p, f) -> per.append("\n  ").append(p).append(": ").append(get.apply(f)));
      throw RebuildException.badInput(
          parameter,
          "the original's targets were built with different "
              + setting
              + ":"
              + per
              + "\nThe rebuild builds every target with one <"
              + parameter
              + ">; give it, or rebuild the targets in separate runs (-Drebuild.targets).");
    }
    T value = values.isEmpty() ? null : values.iterator().next();
    source(parameter, String.valueOf(value), setting + " of every binary");
    return value;
  }

  // ---- reading the original ----

  private List<Artifact> read(List<Path> files, Path work) throws RebuildException {
    ArtifactScanner scanner = new ArtifactScanner(work);
    List<Artifact> artifacts = new ArrayList<>();
    List<String> bare = new ArrayList<>();
    for (Path file : files.stream().sorted().toList()) {
      String name = file.getFileName().toString();
      boolean image = java.nio.file.Files.isDirectory(file);
      boolean archive = image || ArchiveNames.format(name) != null;
      List<ScannedFile> scanned;
      try {
        scanned = scanner.scan(file);
      } catch (IOException e) {
        throw RebuildException.tool("cannot read the original " + file + ": " + e.getMessage(), e);
      }
      List<Original> binaries = new ArrayList<>();
      for (ScannedFile f : scanned) {
        if (f.result() instanceof ReadResult.Corrupt c) {
          throw RebuildException.badInput(
              "original",
              "the original "
                  + f.path()
                  + " is damaged: "
                  + c.reason()
                  + "\nPoint rebuild.original at the release as published.");
        }
        if (f.result() instanceof ReadResult.GoBinary go) {
          String member = f.path();
          String inside = member.contains("!") ? member.substring(member.indexOf('!') + 1) : member;
          int slash = inside.lastIndexOf('/');
          binaries.add(
              new Original(
                  member,
                  inside.substring(slash + 1),
                  slash < 0 ? "" : inside.substring(0, slash),
                  go.info(),
                  flags(member, go.info())));
        }
      }
      if (binaries.isEmpty()) {
        notes.add(
            "ignored "
                + (image ? "an image platform" : name)
                + ": no Go binary with build information in it");
        continue;
      }
      if (!archive) {
        bare.add(name);
        continue;
      }
      artifacts.add(new Artifact(file, platform(name, binaries), binaries));
    }
    if (artifacts.isEmpty()) {
      String why =
          bare.isEmpty()
              ? "holds no archive with a Go binary that has build information"
              : "ships bare binaries ("
                  + String.join(", ", bare)
                  + "), whose naming is not inferred; only archives are";
      throw RebuildException.badInput(
          "original",
          "the original release "
              + why
              + ", so the recipe cannot be read from it\nConfigure the recipe instead: <targets>,"
              + " <packages>, <ldflags>, <archive> (see the README), or point rebuild.original at"
              + " the release's archives.");
    }
    if (!bare.isEmpty()) {
      notes.add("ignored bare binaries " + bare + ": only the archives are rebuilt");
    }
    return artifacts;
  }

  private static Platform platform(String archive, List<Original> binaries)
      throws RebuildException {
    Set<Platform> platforms = new TreeSet<>();
    for (Original o : binaries) {
      BuildInfo info = o.info();
      GoVersion go = info.parsedGoVersion();
      if (go == null || !GoBuildInfoModel.recordsSettings(go) || info.goos() == null) {
        throw RebuildException.badInput(
            "targets",
            "the original "
                + o.member()
                + " was built by "
                + info.goVersion()
                + ", which records no build settings (GOOS, GOARCH, flags); the original does not"
                + " show how it was built\nConfigure the recipe: <targets>, <ldflags>, <trimpath>,"
                + " <archive> (see the README).");
      }
      String variant = "";
      if (info.goarch().equals("arm")) {
        variant = Objects.requireNonNullElse(info.setting("GOARM"), "");
      } else if (info.goarch().equals("amd64")) {
        String level = info.setting("GOAMD64");
        variant = level == null || level.equals("v1") ? "" : level;
      }
      try {
        platforms.add(new Platform(info.goos(), info.goarch(), variant));
      } catch (IllegalArgumentException e) {
        throw RebuildException.badInput(
            "targets",
            o.member()
                + ": "
                + e.getMessage()
                + "\nGive the targets: <targets> / -Drebuild.targets.");
      }
    }
    if (platforms.size() > 1) {
      throw RebuildException.badInput(
          "targets",
          "the original archive "
              + archive
              + " holds binaries for several platforms "
              + platforms
              + "\nConfigure the recipe instead (<targets>, <archive>).");
    }
    return platforms.iterator().next();
  }

  /** The flags one binary records, null for each the original's Go does not record. */
  private static Flags flags(String member, BuildInfo info) {
    GoVersion go = info.parsedGoVersion();
    Boolean trimpath =
        GoBuildInfoModel.records(go, "-trimpath") ? "true".equals(info.setting("-trimpath")) : null;
    String ld = info.setting("-ldflags");
    // -trimpath hides -ldflags from the record; a Go that does not record -trimpath may have.
    boolean hidden = !Boolean.FALSE.equals(trimpath) && GoBuildInfoModel.dropsFlagsWithTrimpath(go);
    boolean ldKnown = ld != null || !hidden;
    String tagsValue = info.setting("-tags");
    List<String> tags =
        tagsValue == null || tagsValue.isBlank() ? List.of() : List.of(tagsValue.split(","));
    List<String> buildFlags = new ArrayList<>();
    String mode = info.setting("-buildmode");
    if (mode == null && !GoBuildInfoModel.records(go, "-buildmode")) {
      buildFlags = null;
    } else if (mode != null && !mode.equals("exe")) {
      buildFlags.add("-buildmode=" + mode);
    }
    if (buildFlags != null) {
      for (String key : List.of("-gcflags", "-asmflags")) {
        String v = info.setting(key);
        if (v != null) {
          buildFlags.add(key + "=" + v);
        }
      }
      for (String key : List.of("-race", "-msan", "-asan", "-cover")) {
        if ("true".equals(info.setting(key))) {
          buildFlags.add(key);
        }
      }
    }
    SortedMap<String, String> env = new TreeMap<>();
    for (var s : info.settings()) {
      String key = s.key();
      if (GoBuildInfoModel.isCgoFlag(key) && s.value().isEmpty()) {
        // Go records the CGO_*FLAGS of a cgo build even when unset; unset is how to rebuild.
        continue;
      }
      if (key.equals("CGO_ENABLED")
          || GoBuildInfoModel.isCgoFlag(key)
          || key.equals("GOEXPERIMENT")) {
        env.put(key, s.value());
      } else if (key.startsWith("GO")
          && !List.of("GOOS", "GOARCH", "GOARM", "GOAMD64").contains(key)
          && GoBuildInfoModel.archKey(info.goarch()).map(key::equals).orElse(false)) {
        String implicit = GoBuildInfoModel.archDefault(go, key).orElse(null);
        if (!s.value().equals(implicit)) {
          env.put(key, s.value());
        }
      }
    }
    return new Flags(ld, ldKnown, tags, trimpath, buildFlags, env);
  }

  /** Every target's binaries must come from the same main packages. */
  private List<String> packages(SortedMap<Platform, Artifact> byPlatform) throws RebuildException {
    Map<Platform, Set<String>> per = new LinkedHashMap<>();
    for (Artifact a : byPlatform.values()) {
      Set<String> paths = new TreeSet<>();
      for (Original o : a.binaries()) {
        String suffix = a.platform().executableSuffix();
        String path = o.info().path();
        String built = PackageStage.binaryName(path) + suffix;
        if (!built.equals(o.name())) {
          if (!o.name().endsWith(suffix)) {
            throw RebuildException.badInput(
                "binaryNames",
                "the original "
                    + o.member()
                    + " for "
                    + a.platform()
                    + " lacks the "
                    + suffix
                    + " go build gives it\nConfigure the recipe instead.");
          }
          String stem = o.name().substring(0, o.name().length() - suffix.length());
          String before = binaryNames.putIfAbsent(path, stem);
          if (before != null && !before.equals(stem)) {
            throw RebuildException.badInput(
                "binaryNames",
                "main package "
                    + path
                    + " ships as "
                    + before
                    + " and as "
                    + stem
                    + " on different targets\nRebuild the targets in separate runs with their"
                    + " own <binaryNames>.");
          }
          if (before == null) {
            source(
                "binaryNames." + path,
                stem,
                "the name of " + o.member() + " (go build names it " + built + ")");
          }
        }
        paths.add(path);
      }
      per.put(a.platform(), paths);
    }
    if (new HashSet<>(per.values()).size() > 1) {
      throw RebuildException.badInput(
          "packages",
          "the original's targets hold different binaries: "
              + per
              + "\nRebuild the targets that share a set in separate runs (-Drebuild.targets with"
              + " -Drebuild.packages).");
    }
    List<String> packages = List.copyOf(per.values().iterator().next());
    source(
        "packages",
        String.join(" ", packages),
        "the main package (path) of every binary of "
            + byPlatform.values().iterator().next().fileName());
    return packages;
  }

  /** Every binary of one target must be built alike. */
  private static Flags commonFlags(Artifact a) throws RebuildException {
    Flags first = a.binaries().get(0).flags();
    for (Original o : a.binaries()) {
      if (!o.flags().equals(first)) {
        throw RebuildException.badInput(
            "ldflags",
            "the binaries of "
                + a.fileName()
                + " were built with different settings: "
                + a.binaries().get(0).name()
                + " "
                + first
                + ", "
                + o.name()
                + " "
                + o.flags()
                + "\nThe rebuild builds all binaries of a target alike; rebuild them in separate"
                + " runs (-Drebuild.packages) with their own <ldflags>, <env>, <buildFlags>.");
      }
    }
    return first;
  }

  private ArchiveSpec archive(SortedMap<Platform, Artifact> byPlatform, Release release)
      throws RebuildException {
    Map<Platform, String> templates = new TreeMap<>();
    Map<Platform, String> bareArch = new TreeMap<>();
    Map<Platform, String> dirs = new TreeMap<>();
    Map<String, ArchiveFormat> formats = new TreeMap<>();
    for (Artifact a : byPlatform.values()) {
      ArchiveFormat format = ArchiveNames.format(a.fileName());
      String base = ArchiveNames.base(a.fileName());
      ArchiveFormat seen = formats.putIfAbsent(a.platform().os(), format);
      if (seen != null && seen != format) {
        throw RebuildException.badInput(
            "archive.format",
            "the original ships "
                + a.platform().os()
                + " archives as both "
                + seen.extension()
                + " and "
                + format.extension()
                + "\nGive the formats: <archive><format> and <formatOverrides>.");
      }
      Map<String, String> values =
          ArchiveNames.values(release.names(), a.platform(), a.binaries().get(0).info());
      templates.put(a.platform(), ArchiveNames.template(base, values));
      bareArch.put(a.platform(), ArchiveNames.template(base, ArchiveNames.withoutVariant(values)));
      Set<String> binDirs = new TreeSet<>();
      a.binaries().forEach(o -> binDirs.add(o.dir()));
      if (binDirs.size() > 1) {
        throw RebuildException.badInput(
            "archive.binDir",
            "the binaries of "
                + a.fileName()
                + " are in several directories "
                + binDirs
                + "\nConfigure <archive> instead (see the README).");
      }
      String dir = binDirs.iterator().next();
      dirs.put(a.platform(), ArchiveNames.template(ArchiveNames.binDir(dir, base), values));
    }
    Set<String> distinct = new TreeSet<>(templates.values());
    if (distinct.size() > 1 && new TreeSet<>(bareArch.values()).size() == 1) {
      // linux-arm next to linux-amd64: the names show GOARCH without the GOARM variant.
      distinct = new TreeSet<>(bareArch.values());
    }
    if (distinct.size() > 1) {
      StringBuilder per = new StringBuilder();
      byPlatform.forEach(
          (p, a) ->
              per.append("\n  ").append(a.fileName()).append(" -> ").append(templates.get(p)));
      throw RebuildException.badInput(
          "archive.name",
          "the original archive names follow no common pattern:"
              + per
              + "\nGive the name template: <archive><name> (e.g."
              + " {project}_{version}_{os}_{arch}).");
    }
    String name = distinct.iterator().next();
    if (byPlatform.size() > 1
        && !(name.contains("{os}") && (name.contains("{arch}") || name.contains("{goarch}")))) {
      throw RebuildException.badInput(
          "archive.name",
          "the original archive names ("
              + String.join(", ", byPlatform.values().stream().map(Artifact::fileName).toList())
              + ") do not show the target's GOOS and GOARCH in a recognisable form"
              + "\nGive the name template: <archive><name> (e.g. {project}_{version}_{os}_{arch}).");
    }
    String from = String.join(", ", byPlatform.values().stream().map(Artifact::fileName).toList());
    source("archive.name", name, from);
    if (!name.contains("{goVersion}")) {
      String labelled = ArchiveNames.withLabel(name, release.label());
      notes.add(
          "the original names ("
              + name
              + ") do not carry the Go version; the rebuild label goes into the version part so"
              + " that no rebuilt name equals an original one: "
              + labelled);
      name = labelled;
    }
    Set<String> dirTemplates = new TreeSet<>(dirs.values());
    if (dirTemplates.size() > 1) {
      throw RebuildException.badInput(
          "archive.binDir",
          "the original archives keep their binaries in differently named directories "
              + dirs
              + "\nGive it: <archive><binDir> (may use {name}, the archive's name).");
    }
    String binDir = dirTemplates.iterator().next();
    source("archive.binDir", binDir, "member paths of " + from);
    ArchiveFormat main = formats.getOrDefault("linux", formats.values().iterator().next());
    Map<String, String> overrides = new TreeMap<>();
    formats.forEach(
        (os, f) -> {
          if (f != main) {
            overrides.put(os, f.extension());
          }
        });
    source("archive.format", main.extension(), "file names of " + from);
    if (!overrides.isEmpty()) {
      source("archive.formatOverrides", overrides.toString(), "file names of " + from);
    }
    try {
      return ArchiveSpec.parse(name, main.extension(), overrides, binDir);
    } catch (IllegalArgumentException e) {
      throw RebuildException.badInput(
          "archive.name",
          "the archive layout read from the original does not make a template ("
              + e.getMessage()
              + ")\nGive it: <archive> (see the README).");
    }
  }

  private SortedMap<Platform, List<ArchiveWriter.Entry>> extras(
      SortedMap<Platform, Artifact> byPlatform, ArchiveSpec spec, Release release, Path work)
      throws RebuildException {
    SortedMap<Platform, List<ArchiveWriter.Entry>> out = new TreeMap<>();
    int index = 0;
    for (Artifact a : byPlatform.values()) {
      Set<String> binaries = new HashSet<>();
      a.binaries()
          .forEach(o -> binaries.add(o.dir().isEmpty() ? o.name() : o.dir() + "/" + o.name()));
      String originalBase = ArchiveNames.base(a.fileName());
      String rebuiltBase = PackageStage.archiveName(spec, release.names(), a.platform());
      ArchiveMembers.Copied copied;
      try {
        copied =
            ArchiveMembers.copy(
                a.file(),
                binaries,
                work.resolve("original-members").resolve(Integer.toString(index++)),
                ArchiveLimits.MEMBER_BYTES);
      } catch (IOException e) {
        throw RebuildException.badInput(
            "original",
            "cannot read the members of the original "
                + a.fileName()
                + ": "
                + e.getMessage()
                + "\nPoint rebuild.original at the release as published.");
      }
      List<ArchiveWriter.Entry> entries = new ArrayList<>();
      for (ArchiveMembers.Member m : copied.members()) {
        String name = m.name();
        if (name.startsWith(originalBase + "/")) {
          name = rebuiltBase + name.substring(originalBase.length());
        }
        entries.add(new ArchiveWriter.Entry(name, m.file(), m.mode()));
      }
      for (ArchiveMembers.Skipped s : copied.skipped()) {
        notes.add(a.fileName() + "!" + s.name() + " is not carried over: " + s.reason());
      }
      if (!entries.isEmpty()) {
        out.put(a.platform(), entries);
        source(
            "extra members[" + a.platform() + "]",
            String.join(
                " ",
                entries.stream()
                    .map(e -> e.name() + " (" + Integer.toOctalString(e.mode()) + ")")
                    .toList()),
            a.fileName() + ", copied unchanged");
      }
    }
    return out;
  }
}
