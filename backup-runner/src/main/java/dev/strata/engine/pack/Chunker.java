package dev.strata.engine.pack;

import dev.strata.engine.format.StoreConfig;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Content-defined chunking (FastCDC with a gear table and normalised chunking): a chunk ends where
 * a rolling hash of the last 64 bytes meets a mask, so an insertion or deletion moves only the
 * chunk boundaries next to it and the rest of the file keeps its chunks. No cut is made before
 * {@code minSize}; between it and {@code avgSize} a harder mask (more bits) applies, after it an
 * easier one, and {@code maxSize} cuts unconditionally: chunk sizes cluster around the average. A
 * file smaller than {@code minSize} is one chunk.
 *
 * <p>The gear table comes from a seed: fixed for stores without encryption, secret (from the master
 * key) for encrypted ones, so that chunk boundaries, and thus blob sizes, do not reveal content to
 * someone without the key.
 */
public final class Chunker {

  private final long[] gear = new long[256];
  private final int min;
  private final int avg;
  private final int max;
  private final long maskS;
  private final long maskL;

  public Chunker(byte[] seed, StoreConfig.ChunkerParams p) {
    this.min = p.minSize();
    this.avg = p.avgSize();
    this.max = p.maxSize();
    int bits = Integer.numberOfTrailingZeros(avg);
    // The hash shifts left each byte: its top bits depend on the last 64 bytes. Harder below the
    // average (2 bits
    // more), easier above it (3 bits fewer): sizes gather near the average.
    this.maskS = topBits(bits + 2);
    this.maskL = topBits(bits - 3);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < 256; i++) {
        sha.update(seed);
        sha.update(new byte[] {(byte) i, (byte) (i >> 8)});
        gear[i] = ByteBuffer.wrap(sha.digest()).getLong();
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long topBits(int n) {
    return n <= 0 ? 0 : -1L << (64 - n);
  }

  public int minSize() {
    return min;
  }

  public int maxSize() {
    return max;
  }

  /**
   * The length of the next chunk of {@code buf[off, off+len)}. The caller passes at least {@code
   * maxSize} bytes unless the data ends within them ({@code len} is then all that is left, and is
   * cut at most there).
   */
  public int cut(byte[] buf, int off, int len) {
    return cut(buf, off, len, true);
  }

  /**
   * The length of the next chunk of {@code buf[off, off+len)}, where {@code last} says whether the
   * data ends there; or -1 when no cut lies within those bytes and more data may move it (fewer
   * than {@code maxSize} bytes, not the last). A cut found is the one {@link #cut(byte[], int,
   * int)} finds with all the data: it depends only on the bytes before it. A reader can so cut what
   * it holds and read more only when the next cut lies beyond, instead of keeping {@code maxSize}
   * bytes ahead of every cut.
   */
  public int cut(byte[] buf, int off, int len, boolean last) {
    if (len <= min) {
      return last || len >= max ? len : -1;
    }
    int end = Math.min(len, max);
    int normal = Math.min(end, avg);
    // Below the average the harder mask; the 64 bytes before min prime the hash, so a cut right
    // after min depends on
    // content, not on position. The hash depends on the last 64 bytes only, so the easier scan
    // primes itself again.
    int at = scan(gear, buf, off + Math.max(0, min - 64), off + min, off + normal, maskS);
    if (at >= 0) {
      return at - off;
    }
    at = scan(gear, buf, off + normal - 64, off + normal, off + end, maskL);
    if (at >= 0) {
      return at - off;
    }
    return last || end == max ? end : -1;
  }

  /**
   * Rolls the gear hash over {@code buf[prime, to)}, looking from {@code from} for a position where
   * it meets the mask; returns the index after it, or -1. A small method of its own so the JIT
   * compiles it whole.
   */
  private static int scan(long[] gear, byte[] buf, int prime, int from, int to, long mask) {
    long fp = 0;
    for (int j = prime; j < from; j++) {
      fp = (fp << 1) + gear[buf[j] & 0xff];
    }
    for (int i = from; i < to; i++) {
      fp = (fp << 1) + gear[buf[i] & 0xff];
      if ((fp & mask) == 0) {
        return i + 1;
      }
    }
    return -1;
  }
}
