package dev.rebuild.core.buildinfo;

/** Internal signal: the bytes are not an executable the reader knows. Becomes {@code NotGo}. */
final class NotExecutable extends Exception {
  NotExecutable(String reason) {
    super(reason, null, false, false);
  }
}
