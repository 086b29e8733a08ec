package dev.rebuild.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipMethod;

/**
 * Decompression bombs: valid gzip and zip files that inflate to gigabytes of zeros from about a
 * thousandth of that. The zeros are deflated once per MiB and the compressed block is repeated, so
 * a 2 GiB bomb takes milliseconds and 2 MB to make.
 */
public final class Bombs {
  private static final int CHUNK = 1 << 20;

  private Bombs() {}

  /** Raw deflate data and the CRC-32 and length of what it inflates to. */
  public record Deflated(byte[] data, long crc, long size) {}

  /** Deflates {@code head}, then {@code zeros} zero bytes, then {@code tail}. */
  public static Deflated deflate(byte[] head, long zeros, byte[] tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CRC32 crc = new CRC32();
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    try {
      crc.update(head);
      deflate(d, head, Deflater.FULL_FLUSH, out);
      // After a full flush the deflater forgets what came before: this block of a MiB of zeros
      // stands alone and can be repeated as it is.
      byte[] zeroChunk = new byte[CHUNK];
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      long chunks = zeros / CHUNK;
      if (chunks > 0) {
        deflate(d, zeroChunk, Deflater.FULL_FLUSH, block);
      }
      byte[] b = block.toByteArray();
      for (long i = 0; i < chunks; i++) {
        out.writeBytes(b);
        crc.update(zeroChunk);
      }
      byte[] rest = new byte[(int) (zeros % CHUNK) + tail.length];
      System.arraycopy(tail, 0, rest, rest.length - tail.length, tail.length);
      crc.update(rest);
      d.setInput(rest);
      d.finish();
      byte[] buf = new byte[1 << 16];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
    } finally {
      d.end();
    }
    return new Deflated(out.toByteArray(), crc.getValue(), head.length + zeros + tail.length);
  }

  private static void deflate(Deflater d, byte[] input, int flush, ByteArrayOutputStream out) {
    d.setInput(input);
    byte[] buf = new byte[1 << 16];
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, flush);
      out.write(buf, 0, n);
    } while (n == buf.length);
  }

  /** A gzip file of {@code head}, {@code zeros} zero bytes and {@code tail}. */
  public static Path gzip(Path file, byte[] head, long zeros, byte[] tail) throws IOException {
    Deflated d = deflate(head, zeros, tail);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
      out.write(d.data());
      writeIntLe(out, d.crc());
      writeIntLe(out, d.size());
    }
    return file;
  }

  /**
   * A tar.gz of the entries {@code before} (their headers only: give them size 0), then a file
   * {@code name} of {@code size} zeros.
   */
  public static Path tarGz(Path file, long size, String name, TarArchiveEntry... before)
      throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    for (TarArchiveEntry e : before) {
      head.writeBytes(header(e));
    }
    TarArchiveEntry big = new TarArchiveEntry(name);
    big.setSize(size);
    big.setMode(0100755);
    head.writeBytes(header(big));
    long padding = (512 - size % 512) % 512;
    // Two zero records end a tar; they are zeros like the data.
    return gzip(file, head.toByteArray(), size + padding + 1024, new byte[0]);
  }

  /** The 512-byte ustar header of {@code e}. */
  public static byte[] header(TarArchiveEntry e) {
    byte[] h = new byte[512];
    e.writeEntryHeader(h);
    return h;
  }

  /**
   * A zip of one deflated member {@code name} that inflates to {@code head} and {@code zeros} zero
   * bytes, while the zip's directory claims {@code claimedSize} (the real size, or a lie).
   */
  public static Path zip(Path file, String name, byte[] head, long zeros, long claimedSize)
      throws IOException {
    Deflated d = deflate(head, zeros, new byte[0]);
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(file)) {
      ZipArchiveEntry e = new ZipArchiveEntry(name);
      e.setMethod(ZipMethod.DEFLATED.getCode());
      e.setCrc(d.crc());
      e.setCompressedSize(d.data().length);
      e.setSize(claimedSize);
      e.setUnixMode(0100644);
      zip.addRawArchiveEntry(e, new java.io.ByteArrayInputStream(d.data()));
    }
    return file;
  }

  private static void writeIntLe(OutputStream out, long v) throws IOException {
    for (int i = 0; i < 4; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }
}
