package dev.rebuild.core.vuln;

import java.util.List;
import java.util.Objects;

/**
 * One element of the database's {@code index/modules.json}: a module and the vulnerabilities filed
 * under it.
 */
public record IndexedModule(String path, List<IndexedVuln> vulns) {

  public IndexedModule {
    Objects.requireNonNull(path, "path");
    vulns = List.copyOf(vulns);
  }

  /**
   * @param id the entry id
   * @param modified as the index writes it
   * @param fixed the latest version that fixes it for this module, without a {@code v}; empty when
   *     no fix exists or the vulnerability came back after the last fix
   */
  public record IndexedVuln(String id, String modified, String fixed) {
    public IndexedVuln {
      Objects.requireNonNull(id, "id");
      modified = modified == null ? "" : modified;
      fixed = fixed == null ? "" : fixed;
    }
  }
}
