package dev.rebuild.core.toolchain;

import dev.rebuild.core.model.GoVersion;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a store reported, one line per event. */
final class RecordingListener implements ToolchainListener {

  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void resolved(String requested, GoVersion version, String source) {
    events.add("resolved " + requested + " -> " + version + " from " + source);
  }

  @Override
  public void downloading(URI url, long bytes, long total) {
    events.add("downloading " + url + " " + bytes + "/" + total);
  }

  @Override
  public void verified(URI url, String how) {
    events.add("verified " + url + " " + how);
  }

  @Override
  public void installed(Toolchain toolchain) {
    events.add("installed " + toolchain.version() + " " + toolchain.goroot());
  }

  boolean any(String prefix) {
    return events.stream().anyMatch(e -> e.startsWith(prefix));
  }
}
