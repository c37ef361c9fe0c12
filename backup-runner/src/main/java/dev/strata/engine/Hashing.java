package dev.strata.engine;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers. One MessageDigest per thread: creating one per blob costs more than hashing small files. */
public final class Hashing {

  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashing::newSha256);

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

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
