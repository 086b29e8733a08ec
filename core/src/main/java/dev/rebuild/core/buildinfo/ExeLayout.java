package dev.rebuild.core.buildinfo;

import java.util.List;

/**
 * What the reader needs from an executable's headers, as Go's {@code debug/buildinfo} exe
 * interface: where virtual addresses live in the file, and the range to search for the build
 * information blob.
 *
 * @param format a short name for messages ("ELF", "PE", "Mach-O")
 * @param mappings segments or sections in header order; the first one holding an address wins
 * @param dataAddr start of the named build info section, or of the first writable data segment
 * @param dataSize its size in memory; 0 when there is no such range
 */
record ExeLayout(String format, List<Mapping> mappings, long dataAddr, long dataSize) {

  /** Virtual addresses [vaddr, vaddr+fileSize) are file bytes [fileOffset, ...). */
  record Mapping(long vaddr, long fileOffset, long fileSize) {
    boolean contains(long addr) {
      return Long.compareUnsigned(addr - vaddr, fileSize) < 0
          && Long.compareUnsigned(vaddr, addr) <= 0;
    }
  }

  /** The mapping holding {@code addr}, or null (Go: "unrecognized file format"). */
  Mapping find(long addr) {
    for (Mapping m : mappings) {
      if (m.contains(addr)) {
        return m;
      }
    }
    return null;
  }
}
