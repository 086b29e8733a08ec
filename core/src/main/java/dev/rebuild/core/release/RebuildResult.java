package dev.rebuild.core.release;

import java.nio.file.Path;

/** The outcome of a successful rebuild: where everything was written and what it says. */
public record RebuildResult(
    Path outputDirectory, Path dist, Path checksums, Path manifestFile, ReleaseManifest manifest) {}
