package dev.rebuild.core.stage;

import dev.rebuild.core.vuln.FailOn;

/**
 * How a rebuild is checked before anything is committed.
 *
 * @param original the original release: a directory or a URL prefix holding its artifacts; null
 *     skips the comparison with the original
 * @param originalGo the Go version the original was built with ({@code 1.21.5}); needed only to
 *     name original artifacts under a URL prefix (a directory is searched by the name template)
 * @param vulndb where the Go vulnerability database is (URL, {@code file://} directory, path, or
 *     {@code vulndb.zip})
 * @param failOn which remaining vulnerabilities fail the rebuild
 */
public record VerificationSettings(
    String original, String originalGo, String vulndb, FailOn failOn) {}
