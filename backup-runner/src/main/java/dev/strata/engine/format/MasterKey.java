package dev.strata.engine.format;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The secret of an encrypted store, made once by the store's creation and never changed: an AES-256
 * key for everything the store holds, an HMAC-SHA-256 key that names blobs (so object contents are
 * not revealed by their ids), and the seed of the chunker's gear table (so chunk boundaries do not
 * reveal content either). Users never see it: each of their keys wraps it in a key slot ({@link
 * KeySlot}).
 */
public final class MasterKey {

  static final int PART = 32;
  static final int LENGTH = 3 * PART;

  private final byte[] material;

  private MasterKey(byte[] material) {
    if (material.length != LENGTH) {
      throw new IllegalArgumentException(
          "a master key is " + LENGTH + " bytes, not " + material.length);
    }
    this.material = material.clone();
  }

  public static MasterKey generate() {
    byte[] m = new byte[LENGTH];
    new SecureRandom().nextBytes(m);
    return new MasterKey(m);
  }

  static MasterKey of(byte[] material) {
    return new MasterKey(material);
  }

  byte[] material() {
    return material.clone();
  }

  byte[] encryptionKey() {
    return Arrays.copyOfRange(material, 0, PART);
  }

  byte[] idKey() {
    return Arrays.copyOfRange(material, PART, 2 * PART);
  }

  byte[] chunkerSeed() {
    return Arrays.copyOfRange(material, 2 * PART, 3 * PART);
  }
}
