package dev.rebuild.core.buildinfo;

import dev.rebuild.core.buildinfo.ExeLayout.Mapping;
import dev.rebuild.core.buildinfo.ReadResult.Corrupt;
import dev.rebuild.core.buildinfo.ReadResult.GoBinary;
import dev.rebuild.core.buildinfo.ReadResult.NotGo;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads the build information Go embeds in executables (what {@code go version -m} prints) without
 * Go: ELF, PE and Mach-O (thin, or the first image of a fat file), 32 and 64 bit, either byte
 * order, both the Go 1.18+ inline layout and the Go 1.13-1.17 pointer layout. A port of Go's {@code
 * debug/buildinfo} and {@code runtime/debug.ParseBuildInfo}.
 *
 * <p>Only headers and the build information itself are read; every size taken from the file is
 * checked against the file and capped, so damaged or hostile input yields {@link Corrupt} or {@link
 * NotGo}, never an exception, an unbounded allocation or a hang.
 */
public final class BuildInfoReader {
  private BuildInfoReader() {}

  static final String NO_BUILD_INFO = "executable without Go build information";

  /** Bytes of the blob's fixed header: magic, pointer size, flags, two pointers. */
  private static final int HEADER_SIZE = 32;

  private static final int ALIGN = 16;
  private static final int SEARCH_CHUNK = 1 << 20;
  private static final int FIRST_CHUNK = 16 << 10;
  private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);

  /** Longest toolchain version accepted ("devel go1.x-hash date" is about 80 bytes). */
  static final int MAX_VERSION = 1024;

  /** Longest module information accepted; the largest real programs embed a few hundred KiB. */
  static final int MAX_MODINFO = 16 << 20;

  /**
   * Reads the build information of the file at {@code file}.
   *
   * @throws IOException only when the file cannot be read; bad content is a result
   */
  public static ReadResult read(Path file) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ)) {
      return read(channel, file.toString());
    }
  }

  /**
   * Reads the build information from {@code channel}, which stays open; {@code displayName} names
   * it in I/O error messages.
   *
   * @throws IOException only when reading fails; bad content is a result
   */
  public static ReadResult read(SeekableByteChannel channel, String displayName)
      throws IOException {
    try {
      return read(new ChannelSource(channel));
    } catch (IOException e) {
      throw new IOException("cannot read " + displayName + ": " + e.getMessage(), e);
    }
  }

  /** The shared core; a {@link ForwardSource} may throw {@link ForwardSource.Rewind}. */
  static ReadResult read(ByteSource src) throws IOException {
    ExeLayout layout;
    try {
      layout = Executables.parse(src);
    } catch (NotExecutable e) {
      return new NotGo(e.getMessage());
    } catch (Malformed e) {
      return new Corrupt(e.getMessage());
    }
    try {
      return readBuildInfo(src, layout);
    } catch (Malformed e) {
      return new Corrupt(layout.format() + ": " + e.getMessage());
    }
  }

  private static ReadResult readBuildInfo(ByteSource src, ExeLayout x)
      throws IOException, Malformed {
    if (x.dataSize() == 0) {
      return new NotGo(NO_BUILD_INFO + " (" + x.format() + " without a data section)");
    }
    long addr = searchMagic(src, x, x.dataAddr(), x.dataSize());
    if (addr == -1) {
      return new NotGo(NO_BUILD_INFO);
    }
    byte[] header = readData(src, x, addr, HEADER_SIZE);
    if (header.length < HEADER_SIZE) {
      return new NotGo(NO_BUILD_INFO + " (build information header cut short)");
    }
    int flags = header[15] & 0xff;
    String version;
    String mod;
    if ((flags & 0x2) != 0) {
      long[] next = {addr + HEADER_SIZE};
      version = decodeString(src, x, next, MAX_VERSION, "Go version");
      mod = decodeString(src, x, next, MAX_MODINFO, "module information");
    } else {
      int ptrSize = header[14] & 0xff;
      boolean be = (flags & 0x1) != 0;
      if (ptrSize != 4 && ptrSize != 8) {
        return new NotGo(NO_BUILD_INFO + " (pointer size " + ptrSize + ")");
      }
      version = readString(src, x, ptrSize, be, readPtr(header, 16, ptrSize, be), MAX_VERSION);
      mod =
          readString(src, x, ptrSize, be, readPtr(header, 16 + ptrSize, ptrSize, be), MAX_MODINFO);
    }
    if (version.isEmpty()) {
      return new NotGo(NO_BUILD_INFO + " (empty Go version)");
    }
    // Strip the 16-byte sentinels cmd/go frames module information with (modload.infoStart/End).
    if (mod.length() >= 33 && mod.charAt(mod.length() - 17) == '\n') {
      mod = mod.substring(16, mod.length() - 16);
    } else {
      mod = "";
    }
    try {
      return new GoBinary(ModInfoParser.parse(version, mod));
    } catch (ModInfoParser.ParseException e) {
      return new Corrupt(x.format() + ": " + e.getMessage());
    }
  }

  /** The first 16-byte aligned magic in [start, start+size), or -1; as Go's searchMagic. */
  private static long searchMagic(ByteSource src, ExeLayout x, long start, long size)
      throws IOException, Malformed {
    long end = start + size;
    if (Long.compareUnsigned(end, start) < 0) {
      throw new Malformed("data range overflows the address space");
    }
    start = (start + ALIGN - 1) & -ALIGN;
    if (Long.compareUnsigned(start, end) >= 0) {
      return -1;
    }
    // The linker puts the blob at the start of the range: begin small, grow to Go's 1 MiB.
    int step = FIRST_CHUNK;
    byte[] buf = new byte[step];
    while (Long.compareUnsigned(start, end) < 0) {
      long remaining = end - start;
      int chunk = Long.compareUnsigned(remaining, step) < 0 ? (int) remaining : step;
      if (buf.length < chunk) {
        buf = new byte[chunk];
      }
      Mapping m = x.find(start);
      if (m == null) {
        throw new Malformed("data address 0x" + Long.toHexString(start) + " is not in the file");
      }
      int want = (int) Math.min(chunk, m.fileSize() - (start - m.vaddr()));
      int n = src.read(m.fileOffset() + (start - m.vaddr()), buf, 0, want);
      if (n <= 0) {
        return -1;
      }
      for (int i = 0; i + MAGIC.length <= n; i += ALIGN) {
        if (matches(buf, i)) {
          if (Long.compareUnsigned(remaining - i, HEADER_SIZE) < 0) {
            return -1;
          }
          return start + i;
        }
      }
      start += chunk;
      step = Math.min(step * 4, SEARCH_CHUNK);
    }
    return -1;
  }

  private static boolean matches(byte[] buf, int at) {
    return Arrays.equals(buf, at, at + MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * Up to {@code size} bytes at {@code addr}, fewer where its segment or section ends in the file.
   */
  private static byte[] readData(ByteSource src, ExeLayout x, long addr, long size)
      throws IOException, Malformed {
    Mapping m = x.find(addr);
    if (m == null) {
      throw new Malformed("address 0x" + Long.toHexString(addr) + " is not in the file");
    }
    long rel = addr - m.vaddr();
    long avail = m.fileSize() - rel;
    int want = (int) Math.min(Math.min(size < 0 ? Long.MAX_VALUE : size, avail), Integer.MAX_VALUE);
    byte[] b = new byte[want];
    int n = src.read(m.fileOffset() + rel, b, 0, want);
    return n == want ? b : Arrays.copyOf(b, Math.max(n, 0));
  }

  /** A varint length then that many bytes (Go 1.18+); advances {@code addr[0]} past them. */
  private static String decodeString(ByteSource src, ExeLayout x, long[] addr, int max, String what)
      throws IOException, Malformed {
    byte[] b = readData(src, x, addr[0], 10);
    long length = 0;
    int shift = 0;
    int n = 0;
    while (true) {
      if (n >= b.length || n >= 10) {
        throw new Malformed(what + ": bad length prefix");
      }
      int c = b[n++] & 0xff;
      if (n == 10 && c > 1) {
        throw new Malformed(what + ": length prefix overflows");
      }
      length |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        break;
      }
      shift += 7;
    }
    if (Long.compareUnsigned(length, max) > 0) {
      throw new Malformed(
          what
              + " of "
              + Long.toUnsignedString(length)
              + " bytes exceeds the "
              + max
              + "-byte limit");
    }
    addr[0] += n;
    byte[] data = length == 0 ? new byte[0] : readData(src, x, addr[0], length);
    if (data.length < length) {
      throw new Malformed(what + " runs past the end of its section");
    }
    addr[0] += length;
    return new String(data, StandardCharsets.UTF_8);
  }

  /** A Go string header (pointer, length) at {@code addr} (Go 1.13-1.17); "" where Go gives "". */
  private static String readString(
      ByteSource src, ExeLayout x, int ptrSize, boolean be, long addr, int max) throws IOException {
    try {
      byte[] hdr = readData(src, x, addr, 2L * ptrSize);
      if (hdr.length < 2 * ptrSize) {
        return "";
      }
      long dataAddr = readPtr(hdr, 0, ptrSize, be);
      long dataLen = readPtr(hdr, ptrSize, ptrSize, be);
      if (Long.compareUnsigned(dataLen, max) > 0) {
        return "";
      }
      byte[] data = readData(src, x, dataAddr, dataLen);
      return data.length < dataLen ? "" : new String(data, StandardCharsets.UTF_8);
    } catch (Malformed e) {
      return "";
    }
  }

  private static long readPtr(byte[] b, int off, int ptrSize, boolean be) {
    return ptrSize == 4 ? Executables.u32(b, off, be) : Executables.u64(b, off, be);
  }
}
