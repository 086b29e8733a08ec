/**
 * Finding or fetching the exact Go toolchain a rebuild asks for.
 *
 * <p>{@link dev.rebuild.core.toolchain.ToolchainStore} is the entry point: it resolves {@code 1.22}
 * or {@code latest} to one release, prefers a toolchain installed on the machine ({@link
 * dev.rebuild.core.toolchain.InstalledToolchains}) or already cached, and otherwise downloads the
 * official archive or the {@code golang.org/toolchain} module, verifies it (release-list sha256,
 * checksum database with a proof against its signed tree, or a pinned sha256) and caches it. The
 * resulting {@link dev.rebuild.core.toolchain.Toolchain} carries the version, source URL and
 * archive sha256 that the release manifest records.
 */
package dev.rebuild.core.toolchain;
