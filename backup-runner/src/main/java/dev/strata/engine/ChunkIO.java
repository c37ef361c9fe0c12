package dev.strata.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional reads and writes of a chunk between a file and a heap buffer, 16 KiB per system call.
 * The JDK copies a heap buffer through a temporary direct buffer of the same size; at 4 MiB the
 * kernel's copy into the page cache dominated a restore's profile, most likely because both copies
 * ran from memory that had left the CPU's caches. In 16 KiB slices a restore of 2 GB spent 1.5
 * instead of 4.2 kernel CPU-seconds and took 4.1 instead of 6.2 s (8 KiB and 64 KiB did worse), and
 * each worker's cached direct buffer is 16 KiB, not 4 MiB (see docs/benchmarks.md).
 */
final class ChunkIO {

  static final int SLICE = 16 * 1024;

  private ChunkIO() {}

  /**
   * Reads {@code length} bytes at {@code position} into {@code buf}; false when the file ends
   * first.
   */
  static boolean read(FileChannel ch, long position, byte[] buf, int length) throws IOException {
    return read(ch, position, buf, 0, length);
  }

  /**
   * Reads {@code length} bytes at {@code position} into {@code buf} from {@code start}; false when
   * the file ends first.
   */
  static boolean read(FileChannel ch, long position, byte[] buf, int start, int length)
      throws IOException {
    long pos = position;
    int end = start + length;
    for (int off = start; off < end; ) {
      int n = ch.read(ByteBuffer.wrap(buf, off, Math.min(SLICE, end - off)), pos);
      if (n < 0) {
        return false;
      }
      off += n;
      pos += n;
    }
    return true;
  }

  /** Writes the first {@code length} bytes of {@code buf} at {@code position}. */
  static void write(FileChannel ch, long position, byte[] buf, int length) throws IOException {
    write(ch, position, buf, 0, length);
  }

  /** Writes {@code buf[start, start+length)} at {@code position}. */
  static void write(FileChannel ch, long position, byte[] buf, int start, int length)
      throws IOException {
    long pos = position;
    int end = start + length;
    for (int off = start; off < end; ) {
      int n = ch.write(ByteBuffer.wrap(buf, off, Math.min(SLICE, end - off)), pos);
      off += n;
      pos += n;
    }
  }
}
