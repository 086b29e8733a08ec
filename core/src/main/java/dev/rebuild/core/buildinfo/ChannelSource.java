package dev.rebuild.core.buildinfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** Random-access reads from a channel; only the requested bytes are read. */
final class ChannelSource implements ByteSource {
  private final SeekableByteChannel channel;
  private final long size;

  ChannelSource(SeekableByteChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int read(long pos, byte[] buf, int off, int len) throws IOException {
    if (pos < 0 || pos >= size || len <= 0) {
      return 0;
    }
    int want = (int) Math.min(len, size - pos);
    ByteBuffer bb = ByteBuffer.wrap(buf, off, want);
    channel.position(pos);
    while (bb.hasRemaining()) {
      if (channel.read(bb) < 0) {
        break;
      }
    }
    return want - bb.remaining();
  }

  @Override
  public boolean isRetained(long pos, long len) {
    return true;
  }
}
