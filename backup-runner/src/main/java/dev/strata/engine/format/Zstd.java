package dev.strata.engine.format;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/** zstd through zstd-jni, one compression and one decompression context per thread. */
public final class Zstd {

  /** Chunks are at most this big; a frame that says it decompresses to more is refused. */
  static final long MAX_OBJECT = 1L << 30;

  private static final ThreadLocal<ZstdCompressCtx> COMPRESS =
      ThreadLocal.withInitial(ZstdCompressCtx::new);
  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);

  private Zstd() {}

  /**
   * Compresses {@code in[off, off+len)} into {@code out} at {@code outOff} at {@code level};
   * returns the compressed length, or -1 when it exceeds {@code cap} bytes (the data does not
   * shrink enough). {@code out} must have room for {@link #bound} of {@code len} from {@code
   * outOff}: zstd then always finishes, where a smaller destination would make zstd-jni throw for
   * every incompressible input (an exception with its stack trace per random small file).
   */
  public static int compress(
      int level, boolean checksum, byte[] in, int off, int len, byte[] out, int outOff, int cap) {
    ZstdCompressCtx c = COMPRESS.get();
    c.reset();
    c.setLevel(level);
    c.setChecksum(checksum);
    c.setContentSize(true);
    int n;
    try {
      n = c.compressByteArray(out, outOff, Math.min(out.length - outOff, bound(len)), in, off, len);
    } catch (ZstdException e) {
      return -1; // "Destination buffer is too small": only when out is shorter than bound(len)
    }
    return n <= cap ? n : -1;
  }

  /** The most zstd can make of {@code len} bytes (with a frame header and checksum). */
  public static int bound(int len) {
    return Math.toIntExact(com.github.luben.zstd.Zstd.compressBound(len));
  }

  /**
   * Decompresses a whole frame into {@code out} at {@code outOff}; returns its length (which must
   * be {@code expected}).
   */
  public static int decompress(byte[] in, int off, int len, byte[] out, int outOff, int expected) {
    ZstdDecompressCtx d = DECOMPRESS.get();
    d.reset();
    try {
      int n = d.decompressByteArray(out, outOff, expected, in, off, len);
      if (n != expected) {
        throw new SealException(
            "a compressed blob decompressed to " + n + " bytes, not " + expected);
      }
      return n;
    } catch (ZstdException e) {
      throw new SealException("a compressed blob is corrupt: " + e.getMessage(), e);
    }
  }

  /**
   * Compresses a metadata object whole, with zstd's checksum (so damage is found even without
   * encryption).
   */
  public static byte[] compressObject(byte[] plain) {
    ZstdCompressCtx c = COMPRESS.get();
    c.reset();
    c.setLevel(3);
    c.setChecksum(true);
    c.setContentSize(true);
    return c.compress(plain);
  }

  public static byte[] decompressObject(byte[] frame, String what) {
    long size = com.github.luben.zstd.Zstd.getFrameContentSize(frame);
    if (size < 0 || size > MAX_OBJECT) {
      throw new SealException(what + " is not a zstd frame of a known size");
    }
    ZstdDecompressCtx d = DECOMPRESS.get();
    d.reset();
    try {
      return d.decompress(frame, (int) size);
    } catch (ZstdException e) {
      throw new SealException(what + " is corrupt: " + e.getMessage(), e);
    }
  }
}
