package dev.rebuild.core.buildinfo;

/** Internal signal: the headers contradict themselves or the file. Becomes {@code Corrupt}. */
final class Malformed extends Exception {
  Malformed(String reason) {
    super(reason, null, false, false);
  }
}
