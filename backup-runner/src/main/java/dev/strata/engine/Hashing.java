package dev.strata.engine;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 helpers. One MessageDigest per thread: creating one per blob costs more than hashing
 * small files.
 */
public final class Hashing {

  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Hashing::newSha256);

  private Hashing() {}

  public static byte[] sha256(byte[] data) {
    return sha256(data, 0, data.length);
  }

  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(data, offset, length);
    return md.digest();
  }

  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  public static byte[] unhex(String hex) {
    return HEX.parseHex(hex);
  }

  /** Where {@link #ofZeros} feeds zeros: a hash's update. */
  public interface Update {
    void update(byte[] data, int offset, int length);
  }

  /**
   * The hashes of all-zero content of each of {@code sizes} (ascending), from one pass over zeros
   * up to the largest, finishing a copy of the running hash ({@code finishCopy}) at each size:
   * hashing each size's zeros anew cost a restore of 20,000 small files (about 11,000 sizes) 130 MB
   * of hashing and of garbage, and a restore of 2 GB of large files (2,000 chunk sizes of about 1
   * MiB) 2 GB, on the main thread before any blob was fetched.
   */
  public static byte[][] ofZeros(
      Update update, java.util.function.Supplier<byte[]> finishCopy, long[] sizes) {
    byte[] zeros = new byte[64 * 1024];
    byte[][] out = new byte[sizes.length][];
    long at = 0;
    for (int i = 0; i < sizes.length; i++) {
      while (at < sizes[i]) {
        int n = (int) Math.min(zeros.length, sizes[i] - at);
        update.update(zeros, 0, n);
        at += n;
      }
      out[i] = finishCopy.get();
    }
    return out;
  }

  /** {@link #ofZeros} with SHA-256. */
  public static byte[][] sha256OfZeros(long[] sizes) {
    MessageDigest md = newSha256();
    return ofZeros(
        md::update,
        () -> {
          try {
            return ((MessageDigest) md.clone()).digest();
          } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be copied", e);
          }
        },
        sizes);
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
