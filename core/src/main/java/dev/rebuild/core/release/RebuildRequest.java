package dev.rebuild.core.release;

import dev.rebuild.core.recipe.Recipe;
import java.nio.file.Path;

/**
 * One rebuild: which tag of which source, with which Go, by which recipe, written where.
 *
 * @param source a git URL or a local path (already absolute)
 * @param go the requested Go version as the user wrote it ({@code 1.22.12}, {@code go1.22.12})
 * @param outputRoot the directory that gets {@code <tag>/} (default {@code target/rebuild})
 * @param parallelism how many targets build at once
 */
public record RebuildRequest(
    String source, String tag, String go, Recipe recipe, Path outputRoot, int parallelism) {}
