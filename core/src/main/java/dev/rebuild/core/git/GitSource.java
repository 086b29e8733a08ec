package dev.rebuild.core.git;

import static dev.rebuild.core.Redaction.redact;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.exec.ProcessRunner.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The git repository a release comes from: a URL (including {@code file://}) or a local path to a
 * work tree root or a bare repository or mirror, read with the real {@code git} CLI. The user's own
 * repository is only ever read (rev-parse, ls-remote, clone), never changed.
 */
public final class GitSource {

  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /** The forms a source may take, for error messages. */
  private static final String ACCEPTED =
      "a git URL (https://, ssh://, git@host:path, file://), the root of a local work tree, or a"
          + " local bare repository or mirror (git clone --bare / --mirror)";

  private final String location;
  private final ProcessRunner runner;
  private final Map<String, String> environment;

  /**
   * @param location a git URL or a local directory (already resolved against the user's base
   *     directory)
   * @param environment this process's environment, passed on to git
   */
  public GitSource(String location, ProcessRunner runner, Map<String, String> environment) {
    this.location = location;
    this.runner = runner;
    Map<String, String> env = new HashMap<>(environment);
    // Never wait for a password prompt nobody will answer; keep messages parseable.
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("LC_ALL", "C");
    this.environment = Map.copyOf(env);
  }

  /** The location with any credentials in a URL removed, safe for logs and manifests. */
  public String displayName() {
    return redact(location);
  }

  /**
   * Resolves {@code tag} to the commit it names (annotated tags are peeled).
   *
   * @throws RebuildException BAD_INPUT naming the closest existing tags when the tag is unknown, or
   *     when the source is not a git repository
   */
  public String resolveTag(String tag) throws RebuildException {
    checkLocalSource();
    ExecResult r = git(Path.of("."), "ls-remote", "--tags", location);
    if (!r.ok()) {
      throw RebuildException.badInput(
          "source",
          "cannot read tags of "
              + displayName()
              + ": "
              + redact(r.tail(3))
              + "\nPoint rebuild.source (<source>) at "
              + ACCEPTED
              + ".");
    }
    Map<String, String> tags = parseTags(r.stdout());
    String commit = tags.get(tag);
    if (commit != null) {
      return commit;
    }
    List<String> closest = closest(tag, new ArrayList<>(tags.keySet()), 5);
    throw RebuildException.badInput(
        "tag",
        "tag '"
            + tag
            + "' does not exist in "
            + displayName()
            + (closest.isEmpty()
                ? " (the repository has no tags)"
                : "; closest existing tags: " + String.join(", ", closest))
            + "\nPass an existing tag with -Dtag=<tag>.");
  }

  /**
   * Refuses a local source that git would misread: a missing directory, or one that is neither the
   * root of a work tree nor a bare repository (a {@code git clone --bare} or {@code --mirror}). A
   * {@code file://} URL is checked the same way, by the directory it names; other URLs are left to
   * git. Only read-only {@code git rev-parse} runs in the user's repository.
   */
  private void checkLocalSource() throws RebuildException {
    Path dir;
    if (location.startsWith("file://")) {
      try {
        dir = fileUrlPath(location);
      } catch (InvalidPathException e) {
        throw doesNotExist(" (" + e.getMessage() + ")");
      }
    } else if (location.contains("://") || location.matches("^[\\w.-]+@[\\w.-]+:.*")) {
      return;
    } else {
      dir = Path.of(location);
    }
    if (!Files.isDirectory(dir)) {
      throw doesNotExist(location.equals(dir.toString()) ? "" : " (" + dir + ")");
    }
    try {
      Path real = dir.toRealPath();
      ExecResult r =
          runner.run(
              List.of("git", "rev-parse", "--is-bare-repository", "--absolute-git-dir"),
              dir,
              environment,
              TIMEOUT);
      List<String> out = r.stdout().lines().toList();
      if (!r.ok() || out.size() < 2) {
        throw notARepository(r.tail(1));
      }
      Path gitDir = Path.of(out.get(1)).toRealPath();
      if (out.get(0).equals("true")) {
        if (!gitDir.equals(real)) {
          throw notARepository("it is a directory inside the bare repository " + gitDir);
        }
        return;
      }
      if (gitDir.equals(real)) {
        throw notARepository(
            "it is the .git directory of a work tree; point at the work tree itself");
      }
      r = runner.run(List.of("git", "rev-parse", "--show-toplevel"), dir, environment, TIMEOUT);
      out = r.stdout().lines().toList();
      if (!r.ok() || out.isEmpty()) {
        throw notARepository(r.tail(1));
      }
      Path top = Path.of(out.get(0)).toRealPath();
      if (!top.equals(real)) {
        throw notARepository("it is a directory inside the work tree " + top);
      }
    } catch (IOException e) {
      throw gitMissing(e);
    }
  }

  /**
   * The directory a {@code file://} URL names, read as git reads it: any host part is ignored and
   * {@code %XX} escapes are decoded.
   */
  static Path fileUrlPath(String url) {
    String rest = url.substring("file://".length());
    int slash = rest.indexOf('/');
    String path = slash < 0 ? "" : rest.substring(slash);
    if (File.separatorChar == '\\' && path.matches("/[A-Za-z]:.*")) {
      path = path.substring(1); // file:///C:/repo.git
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 0;
    while (i < path.length()) {
      int hi = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
      int lo = i + 2 < path.length() ? Character.digit(path.charAt(i + 2), 16) : -1;
      if (path.charAt(i) == '%' && hi >= 0 && lo >= 0) {
        bytes.write(hi * 16 + lo);
        i += 3;
      } else {
        int cp = path.codePointAt(i);
        bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp);
      }
    }
    return Path.of(bytes.toString(StandardCharsets.UTF_8));
  }

  private RebuildException doesNotExist(String detail) {
    return RebuildException.badInput(
        "source",
        "source "
            + displayName()
            + detail
            + " does not exist\nPoint rebuild.source (<source>) at "
            + ACCEPTED
            + ".");
  }

  private RebuildException notARepository(String why) {
    return RebuildException.badInput(
        "source",
        "source "
            + displayName()
            + " is not a git repository ("
            + why
            + ")\nRun the goal at the top of a git work tree of the Go project, or set"
            + " rebuild.source (<source>) to "
            + ACCEPTED
            + ".");
  }

  /**
   * Makes {@code dir} a clean checkout of {@code commit}: cloned from the source on first use,
   * fetched and reset on later runs, with untracked files removed, so {@code go build} stamps
   * {@code vcs.modified=false}.
   */
  public void checkout(String tag, String commit, Path dir) throws RebuildException {
    try {
      if (Files.isDirectory(dir.resolve(".git"))) {
        require(git(dir, "remote", "set-url", "origin", location), "git remote set-url");
        if (!git(dir, "cat-file", "-e", commit + "^{commit}").ok()) {
          require(
              git(
                  dir,
                  "fetch",
                  "--quiet",
                  "--force",
                  "origin",
                  "refs/tags/" + tag + ":refs/tags/" + tag),
              "git fetch " + tag);
        }
      } else {
        Files.createDirectories(dir.getParent());
        require(
            git(dir.getParent(), "clone", "--quiet", "--no-checkout", location, dir.toString()),
            "git clone " + displayName());
      }
      require(
          git(
              dir,
              "-c",
              "advice.detachedHead=false",
              "checkout",
              "--quiet",
              "--force",
              "--detach",
              commit),
          "git checkout " + commit);
      require(git(dir, "clean", "-ffdxq"), "git clean");
    } catch (IOException e) {
      throw RebuildException.tool(
          "cannot prepare the checkout in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The committer time of {@code commit} in a checkout: what Go stamps as {@code vcs.time}. */
  public Instant commitTime(Path checkout, String commit) throws RebuildException {
    ExecResult r = require(git(checkout, "show", "-s", "--format=%ct", commit), "git show");
    return Instant.ofEpochSecond(Long.parseLong(r.stdout().trim()));
  }

  static Map<String, String> parseTags(String lsRemote) {
    Map<String, String> direct = new TreeMap<>();
    Map<String, String> peeled = new HashMap<>();
    for (String line : lsRemote.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length != 2 || !parts[1].startsWith("refs/tags/")) {
        continue;
      }
      String name = parts[1].substring("refs/tags/".length());
      if (name.endsWith("^{}")) {
        peeled.put(name.substring(0, name.length() - 3), parts[0]);
      } else {
        direct.put(name, parts[0]);
      }
    }
    direct.replaceAll((name, sha) -> peeled.getOrDefault(name, sha));
    return direct;
  }

  /** The {@code limit} names closest to {@code wanted} by edit distance, closest first. */
  static List<String> closest(String wanted, List<String> names, int limit) {
    return names.stream()
        .sorted(
            Comparator.comparingInt((String n) -> distance(wanted, n))
                .thenComparing(Comparator.reverseOrder()))
        .limit(limit)
        .toList();
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private ExecResult git(Path dir, String... args) throws RebuildException {
    List<String> cmd = new ArrayList<>();
    cmd.add("git");
    cmd.addAll(List.of(args));
    try {
      return runner.run(cmd, dir, environment, TIMEOUT);
    } catch (IOException e) {
      throw gitMissing(e);
    }
  }

  private static RebuildException gitMissing(IOException e) {
    return RebuildException.tool(
        "cannot run git: "
            + e.getMessage()
            + "\nInstall git (apt-get install git) and put it on PATH.",
        e);
  }

  private ExecResult require(ExecResult r, String what) throws RebuildException {
    if (!r.ok()) {
      throw RebuildException.tool(what + " failed: " + redact(r.tail(5)), null);
    }
    return r;
  }
}
