package dev.rebuild.core.buildinfo;

import dev.rebuild.core.buildinfo.ExeLayout.Mapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads just enough of ELF, PE and Mach-O headers to build an {@link ExeLayout}, mirroring the
 * {@code elfExe}, {@code peExe} and {@code machoExe} types of Go's {@code debug/buildinfo}. Every
 * count and offset is checked against the file before anything is allocated from it.
 */
final class Executables {
  private Executables() {}

  static final String NOT_EXECUTABLE = "not an executable (ELF/PE/Mach-O)";

  /** Load commands of real Mach-O binaries take a few KiB; more is a damaged header. */
  private static final long MAX_MACHO_COMMANDS = 16L << 20;

  /** Real executables have far fewer sections; more would only cost reads. */
  private static final long MAX_SECTIONS = 1 << 20;

  /** Section name tables this small are read at once; larger ones name by name. */
  private static final long MAX_NAME_TABLE = 1 << 20;

  /** Fat Mach-O files hold a handful of architectures; Java class files share their magic. */
  private static final long MAX_FAT_ARCHES = 20;

  static ExeLayout parse(ByteSource src) throws IOException, Malformed, NotExecutable {
    if (src.size() < 16) {
      throw new NotExecutable(NOT_EXECUTABLE + ": only " + src.size() + " bytes");
    }
    byte[] ident = readExact(src, 0, 16, "file header");
    int b0 = ident[0] & 0xff;
    int b1 = ident[1] & 0xff;
    int b2 = ident[2] & 0xff;
    int b3 = ident[3] & 0xff;
    if (b0 == 0x7f && b1 == 'E' && b2 == 'L' && b3 == 'F') {
      return elf(src, ident);
    }
    if (b0 == 'M' && b1 == 'Z') {
      return pe(src);
    }
    if ((b0 == 0xfe && b1 == 0xed && b2 == 0xfa) || (b1 == 0xfa && b2 == 0xed && b3 == 0xfe)) {
      return macho(src);
    }
    if (b0 == 0xca && b1 == 0xfe && b2 == 0xba && (b3 == 0xbe || b3 == 0xbf)) {
      return fat(src, b3 == 0xbf);
    }
    throw new NotExecutable(NOT_EXECUTABLE);
  }

  // ---------------------------------------------------------------- ELF

  private static ExeLayout elf(ByteSource src, byte[] ident) throws IOException, Malformed {
    int elfClass = ident[4];
    int data = ident[5];
    if (elfClass != 1 && elfClass != 2) {
      throw new Malformed("malformed ELF: unknown class " + elfClass);
    }
    if (data != 1 && data != 2) {
      throw new Malformed("malformed ELF: unknown data encoding " + data);
    }
    if (ident[6] != 1) {
      throw new Malformed("malformed ELF: unknown version " + ident[6]);
    }
    boolean is64 = elfClass == 2;
    boolean be = data == 2;
    byte[] h = readExact(src, 0, is64 ? 64 : 52, "ELF header");
    long phoff = is64 ? u64(h, 32, be) : u32(h, 28, be);
    long shoff = is64 ? u64(h, 40, be) : u32(h, 32, be);
    int at = is64 ? 54 : 42;
    int phentsize = u16(h, at, be);
    long phnum = u16(h, at + 2, be);
    int shentsize = u16(h, at + 4, be);
    long shnum = u16(h, at + 6, be);
    int shstrndx = u16(h, at + 8, be);
    int wantPh = is64 ? 56 : 32;
    int wantSh = is64 ? 64 : 40;

    if (shoff != 0 && (shentsize < wantSh || shoff < 0 || shoff > src.size())) {
      throw new Malformed("malformed ELF: bad section header table");
    }
    if (shoff != 0 && (shnum == 0 || phnum == 0xffff || shstrndx == 0xffff)) {
      // Extended numbering: the real counts sit in section header 0.
      byte[] s0 = readExact(src, shoff, wantSh, "ELF section header 0");
      if (shnum == 0) {
        shnum = is64 ? u64(s0, 32, be) : u32(s0, 20, be);
      }
      if (phnum == 0xffff) {
        phnum = u32(s0, is64 ? 44 : 28, be);
      }
      if (shstrndx == 0xffff) {
        shstrndx = (int) Math.min(u32(s0, is64 ? 40 : 24, be), Integer.MAX_VALUE);
      }
    }
    if (phnum > 0 && phentsize < wantPh) {
      throw new Malformed("malformed ELF: program header entry size " + phentsize);
    }
    checkTable(src, phoff, phnum, phentsize, "ELF program header table");
    if (shoff == 0) {
      shnum = 0;
    }
    if (shnum > MAX_SECTIONS) {
      throw new Malformed("malformed ELF: " + shnum + " sections");
    }
    checkTable(src, shoff, shnum, shentsize, "ELF section header table");

    List<Mapping> mappings = new ArrayList<>();
    long loadAddr = 0;
    long loadSize = 0;
    boolean loadFound = false;
    byte[] table = readExact(src, phoff, (int) (phnum * phentsize), "ELF program headers");
    for (int i = 0; i < phnum; i++) {
      int o = i * phentsize;
      long type = u32(table, o, be);
      long flags = is64 ? u32(table, o + 4, be) : u32(table, o + 24, be);
      long offset = is64 ? u64(table, o + 8, be) : u32(table, o + 4, be);
      long vaddr = is64 ? u64(table, o + 16, be) : u32(table, o + 8, be);
      long filesz = is64 ? u64(table, o + 32, be) : u32(table, o + 16, be);
      long memsz = is64 ? u64(table, o + 40, be) : u32(table, o + 20, be);
      addMapping(mappings, src, vaddr, offset, filesz);
      // PT_LOAD, writable, not executable: Go's fallback data range.
      if (!loadFound && type == 1 && (flags & 3) == 2) {
        loadFound = true;
        loadAddr = vaddr;
        loadSize = memsz;
      }
    }

    long[] named = elfBuildInfoSection(src, shoff, shnum, shentsize, shstrndx, is64, be);
    if (named != null) {
      return new ExeLayout("ELF", mappings, named[0], named[1]);
    }
    return new ExeLayout("ELF", mappings, loadAddr, loadFound ? loadSize : 0);
  }

  /** Address and size of {@code .go.buildinfo}, or null when absent or not cheaply readable. */
  private static long[] elfBuildInfoSection(
      ByteSource src, long shoff, long shnum, int shentsize, int shstrndx, boolean is64, boolean be)
      throws IOException, Malformed {
    if (shnum == 0 || shstrndx >= shnum) {
      return null;
    }
    if (!src.isRetained(shoff, shnum * shentsize)) {
      return null;
    }
    byte[] strtabHeader =
        readExact(src, shoff + (long) shstrndx * shentsize, shentsize, "ELF section header");
    long strOff = is64 ? u64(strtabHeader, 24, be) : u32(strtabHeader, 16, be);
    long strSize = is64 ? u64(strtabHeader, 32, be) : u32(strtabHeader, 20, be);
    byte[] want = ".go.buildinfo\0".getBytes(StandardCharsets.US_ASCII);
    // One read for the table and, when it is of a sane size, one for the names.
    byte[] table = readExact(src, shoff, (int) (shnum * shentsize), "ELF section headers");
    byte[] names = null;
    if (strSize <= MAX_NAME_TABLE && src.isRetained(strOff, strSize)) {
      names = readExact(src, strOff, (int) strSize, "ELF section names");
    }
    byte[] name = new byte[want.length];
    for (int i = 0; i < shnum; i++) {
      int o = i * shentsize;
      long nameOff = u32(table, o, be);
      if (nameOff + want.length > strSize) {
        continue;
      }
      boolean match;
      if (names != null) {
        match =
            Arrays.equals(names, (int) nameOff, (int) nameOff + want.length, want, 0, want.length);
      } else {
        long at = strOff + nameOff;
        if (!src.isRetained(at, want.length)) {
          // The names sit at the end of the file; Go's writable-segment fallback finds the blob.
          return null;
        }
        match = src.read(at, name, 0, name.length) == name.length && Arrays.equals(name, want);
      }
      if (match) {
        long addr = is64 ? u64(table, o + 16, be) : u32(table, o + 12, be);
        long size = is64 ? u64(table, o + 32, be) : u32(table, o + 20, be);
        return new long[] {addr, size};
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- PE

  private static ExeLayout pe(ByteSource src) throws IOException, Malformed {
    byte[] dos = readExact(src, 0, 0x40, "DOS header");
    long signOff = u32(dos, 0x3c, false);
    byte[] sign = readExact(src, signOff, 4, "PE signature");
    if (sign[0] != 'P' || sign[1] != 'E' || sign[2] != 0 || sign[3] != 0) {
      throw new Malformed("malformed PE: invalid PE signature");
    }
    long base = signOff + 4;
    byte[] coff = readExact(src, base, 20, "COFF header");
    int nSections = u16(coff, 2, false);
    int optSize = u16(coff, 16, false);
    long imageBase = 0;
    if (optSize > 0) {
      if (optSize < 2) {
        throw new Malformed("malformed PE: optional header of " + optSize + " bytes");
      }
      byte[] opt = readExact(src, base + 20, optSize, "PE optional header");
      int magic = u16(opt, 0, false);
      if (magic == 0x10b && optSize >= 32) {
        imageBase = u32(opt, 28, false);
      } else if (magic == 0x20b && optSize >= 32) {
        imageBase = u64(opt, 24, false);
      } else {
        throw new Malformed("malformed PE: optional header magic 0x" + Integer.toHexString(magic));
      }
    }
    long tableOff = base + 20 + optSize;
    checkTable(src, tableOff, nSections, 40, "PE section table");
    byte[] table = readExact(src, tableOff, nSections * 40, "PE section table");
    List<Mapping> mappings = new ArrayList<>();
    long dataAddr = 0;
    long dataSize = 0;
    boolean found = false;
    for (int i = 0; i < nSections; i++) {
      int o = i * 40;
      long virtualSize = u32(table, o + 8, false);
      long virtualAddress = u32(table, o + 12, false);
      long rawSize = u32(table, o + 16, false);
      long rawOffset = u32(table, o + 20, false);
      long characteristics = u32(table, o + 36, false);
      addMapping(mappings, src, virtualAddress + imageBase, rawOffset, rawSize);
      // Initialized, readable, writable data (Go's peExe.DataStart).
      if (!found
          && virtualAddress != 0
          && rawSize != 0
          && (characteristics & ~0x600000L) == (0x40L | 0x40000000L | 0x80000000L)) {
        found = true;
        dataAddr = virtualAddress + imageBase;
        dataSize = virtualSize;
      }
    }
    return new ExeLayout("PE", mappings, dataAddr, dataSize);
  }

  // ---------------------------------------------------------------- Mach-O

  private static ExeLayout macho(ByteSource src) throws IOException, Malformed {
    byte[] m = readExact(src, 0, 28, "Mach-O header");
    long magicLe = u32(m, 0, false);
    boolean be;
    boolean is64;
    if (magicLe == 0xfeedfaceL || magicLe == 0xfeedfacfL) {
      be = false;
      is64 = magicLe == 0xfeedfacfL;
    } else {
      long magicBe = u32(m, 0, true);
      if (magicBe != 0xfeedfaceL && magicBe != 0xfeedfacfL) {
        throw new Malformed("malformed Mach-O: invalid magic number");
      }
      be = true;
      is64 = magicBe == 0xfeedfacfL;
    }
    long ncmds = u32(m, 16, be);
    long sizeofcmds = u32(m, 20, be);
    int headerSize = is64 ? 32 : 28;
    if (sizeofcmds > MAX_MACHO_COMMANDS || headerSize + sizeofcmds > src.size()) {
      throw new Malformed("malformed Mach-O: load commands of " + sizeofcmds + " bytes");
    }
    byte[] cmds = readExact(src, headerSize, (int) sizeofcmds, "Mach-O load commands");
    List<Mapping> mappings = new ArrayList<>();
    long[] named = null;
    long[] writable = null;
    int at = 0;
    for (long i = 0; i < ncmds; i++) {
      if (at + 8 > cmds.length) {
        throw new Malformed("malformed Mach-O: command block too small");
      }
      long cmd = u32(cmds, at, be);
      long size = u32(cmds, at + 4, be);
      if (size < 8 || size > cmds.length - at) {
        throw new Malformed("malformed Mach-O: invalid command block size " + size);
      }
      boolean seg32 = cmd == 0x1;
      boolean seg64 = cmd == 0x19;
      if (seg32 || seg64) {
        int segSize = seg64 ? 72 : 56;
        int sectSize = seg64 ? 80 : 68;
        if (size < segSize) {
          throw new Malformed("malformed Mach-O: segment command of " + size + " bytes");
        }
        String segName = cString(cmds, at + 8, 16);
        long vmaddr = seg64 ? u64(cmds, at + 24, be) : u32(cmds, at + 24, be);
        long vmsize = seg64 ? u64(cmds, at + 32, be) : u32(cmds, at + 28, be);
        long fileoff = seg64 ? u64(cmds, at + 40, be) : u32(cmds, at + 32, be);
        long filesize = seg64 ? u64(cmds, at + 48, be) : u32(cmds, at + 36, be);
        int p = at + (seg64 ? 56 : 40);
        long maxprot = u32(cmds, p, be);
        long initprot = u32(cmds, p + 4, be);
        long nsects = u32(cmds, p + 8, be);
        if (nsects > (size - segSize) / sectSize) {
          throw new Malformed("malformed Mach-O: " + nsects + " sections do not fit segment");
        }
        if (!segName.equals("__PAGEZERO")) {
          addMapping(mappings, src, vmaddr, fileoff, filesize);
        }
        if (writable == null && vmaddr != 0 && filesize != 0 && initprot == 3 && maxprot == 3) {
          writable = new long[] {vmaddr, vmsize};
        }
        for (int s = 0; s < nsects; s++) {
          int so = at + segSize + s * sectSize;
          if (named == null && cString(cmds, so, 16).equals("__go_buildinfo")) {
            long addr = seg64 ? u64(cmds, so + 32, be) : u32(cmds, so + 32, be);
            long sz = seg64 ? u64(cmds, so + 40, be) : u32(cmds, so + 36, be);
            named = new long[] {addr, sz};
          }
        }
      }
      at += (int) size;
    }
    long[] data = named != null ? named : writable != null ? writable : new long[] {0, 0};
    return new ExeLayout("Mach-O", mappings, data[0], data[1]);
  }

  private static ExeLayout fat(ByteSource src, boolean fat64)
      throws IOException, Malformed, NotExecutable {
    byte[] h = readExact(src, 0, 8, "fat header");
    long narch = u32(h, 4, true);
    if (narch >= MAX_FAT_ARCHES) {
      throw new NotExecutable(
          NOT_EXECUTABLE + ": magic 0xcafebabe with " + narch + " architectures (a Java class?)");
    }
    if (narch < 1) {
      throw new Malformed("malformed fat Mach-O: file contains no images");
    }
    // Go reads the first architecture's image; so does this.
    byte[] a = readExact(src, 8, fat64 ? 32 : 20, "fat_arch header");
    long cpu = u32(a, 0, true);
    long offset = fat64 ? u64(a, 8, true) : u32(a, 8, true);
    long size = fat64 ? u64(a, 16, true) : u32(a, 12, true);
    if (offset < 0 || size < 0 || offset > src.size() || size > src.size() - offset) {
      throw new Malformed("malformed fat Mach-O: first image outside the file");
    }
    ByteSource inner = src.slice(offset, size);
    if (inner.size() < 28) {
      throw new Malformed("malformed fat Mach-O: first image of " + size + " bytes");
    }
    byte[] im = readExact(inner, 0, 8, "Mach-O header");
    long innerMagic = u32(im, 0, false);
    boolean be = !(innerMagic == 0xfeedfaceL || innerMagic == 0xfeedfacfL);
    if (u32(im, 4, be) != cpu) {
      throw new Malformed("malformed fat Mach-O: architecture header does not match");
    }
    ExeLayout layout = macho(inner);
    // File offsets in the image are relative to the image; make them relative to the fat file.
    List<Mapping> shifted = new ArrayList<>();
    for (Mapping mp : layout.mappings()) {
      shifted.add(new Mapping(mp.vaddr(), mp.fileOffset() + offset, mp.fileSize()));
    }
    return new ExeLayout("fat Mach-O", shifted, layout.dataAddr(), layout.dataSize());
  }

  // ---------------------------------------------------------------- helpers

  /** Adds a mapping, keeping only the part of it that lies in the file. */
  private static void addMapping(
      List<Mapping> out, ByteSource src, long vaddr, long off, long size) {
    if (size == 0 || off < 0 || off >= src.size()) {
      return;
    }
    long inFile = size < 0 ? src.size() - off : Math.min(size, src.size() - off);
    out.add(new Mapping(vaddr, off, inFile));
  }

  private static void checkTable(ByteSource src, long off, long count, long entry, String what)
      throws Malformed {
    if (count == 0) {
      return;
    }
    if (off < 0 || off > src.size() || count > (src.size() - off) / Math.max(entry, 1)) {
      throw new Malformed("malformed executable: " + what + " lies outside the file");
    }
    if (count * entry > Integer.MAX_VALUE - 16) {
      throw new Malformed("malformed executable: " + what + " too large");
    }
  }

  static byte[] readExact(ByteSource src, long pos, int len, String what)
      throws IOException, Malformed {
    if (pos < 0 || len < 0 || pos > src.size() || len > src.size() - pos) {
      throw new Malformed("truncated executable: " + what + " lies outside the file");
    }
    byte[] b = new byte[len];
    int n = src.read(pos, b, 0, len);
    if (n < len) {
      throw new Malformed("truncated executable: " + what + " cut short");
    }
    return b;
  }

  private static String cString(byte[] b, int off, int max) {
    int end = off;
    while (end < off + max && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
  }

  static int u16(byte[] b, int o, boolean be) {
    return be ? ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff) : ((b[o + 1] & 0xff) << 8) | (b[o] & 0xff);
  }

  static long u32(byte[] b, int o, boolean be) {
    return be
        ? ((long) u16(b, o, true) << 16) | u16(b, o + 2, true)
        : ((long) u16(b, o + 2, false) << 16) | u16(b, o, false);
  }

  static long u64(byte[] b, int o, boolean be) {
    return be
        ? (u32(b, o, true) << 32) | u32(b, o + 4, true)
        : (u32(b, o + 4, false) << 32) | u32(b, o, false);
  }
}
