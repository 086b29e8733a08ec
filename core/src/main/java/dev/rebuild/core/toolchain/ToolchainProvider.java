package dev.rebuild.core.toolchain;

/** Finds or fetches the Go toolchain a rebuild asks for. */
public interface ToolchainProvider {

  /**
   * Provides the toolchain for {@code requested}: an exact version ({@code 1.22.12}, {@code
   * go1.22.12}, {@code go1.23rc1}); providers that resolve versions also take a line ({@code 1.22})
   * or {@code latest}.
   *
   * @throws ToolchainException naming what is missing and how to get it
   */
  Toolchain provide(String requested) throws ToolchainException;
}
