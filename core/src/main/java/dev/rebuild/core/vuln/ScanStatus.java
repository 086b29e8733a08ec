package dev.rebuild.core.vuln;

/** How far a scan could judge a binary. */
public enum ScanStatus {
  /** The standard library version and every module with a version were checked. */
  SCANNED,
  /**
   * The binary's Go version is a development build or unreadable, so its standard library could not
   * be checked: the findings cover modules only and the binary must not be called clean.
   */
  STDLIB_UNKNOWN
}
