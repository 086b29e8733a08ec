package dev.rebuild.core.stage;

import static dev.rebuild.core.io.FileTrees.deleteTree;

import dev.rebuild.core.RebuildException;
import dev.rebuild.core.exec.ProcessRunner;
import dev.rebuild.core.git.GitSource;
import dev.rebuild.core.release.ReleaseListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Resolves the tag to a commit and checks that commit out into a private directory. Reads the
 * user's repository, never writes to it.
 */
public final class SourceStage {

  /**
   * A clean checkout of the tag.
   *
   * @param project the value of {@code {project}}: the recipe's name, else the module's last
   *     element
   */
  public record Checkout(
      String commit, Instant commitTime, String module, String project, Path directory) {}

  private final ProcessRunner runner;
  private final Map<String, String> environment;
  private final ReleaseListener listener;

  public SourceStage(
      ProcessRunner runner, Map<String, String> environment, ReleaseListener listener) {
    this.runner = runner;
    this.environment = Map.copyOf(environment);
    this.listener = listener;
  }

  /** The commit {@code tag} names in {@code source}. */
  public String resolve(String source, String tag) throws RebuildException {
    GitSource git = new GitSource(source, runner, environment);
    String commit = git.resolveTag(tag);
    listener.info("tag " + tag + " is commit " + commit + " of " + git.displayName());
    return commit;
  }

  /**
   * Checks {@code commit} out into {@code directory} (reusing a previous checkout there).
   *
   * @param projectName the recipe's project name, or null
   */
  public Checkout checkout(
      String source, String tag, String commit, String projectName, Path directory)
      throws RebuildException {
    try {
      if (Files.exists(directory) && !Files.isDirectory(directory.resolve(".git"))) {
        deleteTree(directory);
      }
    } catch (IOException e) {
      throw RebuildException.tool("cannot clear " + directory + ": " + e.getMessage(), e);
    }
    GitSource git = new GitSource(source, runner, environment);
    git.checkout(tag, commit, directory);
    Instant time = git.commitTime(directory, commit);
    String module = modulePath(directory);
    String project = projectName != null ? projectName : PackageStage.binaryName(module);
    listener.info("module " + module + " at " + directory);
    return new Checkout(commit, time, module, project, directory);
  }

  static String modulePath(Path checkout) throws RebuildException {
    Path gomod = checkout.resolve("go.mod");
    try {
      for (String line : Files.readAllLines(gomod, StandardCharsets.UTF_8)) {
        String t = line.trim();
        if (t.startsWith("module ") || t.startsWith("module\t")) {
          return t.substring("module".length()).trim().replace("\"", "");
        }
      }
    } catch (IOException e) {
      throw RebuildException.badInput(
          "source",
          "the tag has no go.mod at the root of the repository ("
              + gomod
              + ")\nRebuild works on Go modules; point rebuild.source at the module's repository.");
    }
    throw RebuildException.badInput("source", gomod + " has no module line");
  }
}
