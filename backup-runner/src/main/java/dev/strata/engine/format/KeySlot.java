package dev.strata.engine.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One user key's copy of an encrypted store's master key, stored as {@code keys/<id>}: the master
 * key sealed with AES-256-GCM under a key derived from the user's key with PBKDF2-HMAC-SHA-256
 * (salt and iterations kept here). Adding a user key writes a slot; removing one deletes its slot.
 * The associated data binds a slot to its store and its id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeySlot(
    String id,
    Instant createdAt,
    String kdf,
    int iterations,
    String salt,
    String masterKey,
    String note) {

  public static final String KDF = "pbkdf2-hmac-sha256";

  /** About 0.2 s of one core: slows guessing of a weak passphrase, paid once per run. */
  public static final int DEFAULT_ITERATIONS = 200_000;

  public static KeySlot create(
      String storeId, MasterKey master, UserKey user, Instant now, String note) {
    SecureRandom random = new SecureRandom();
    byte[] idBytes = new byte[8];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    Sealer kek = kek(user, salt, DEFAULT_ITERATIONS);
    byte[] sealed = kek.seal(master.material(), aad(storeId, id));
    Base64.Encoder b64 = Base64.getEncoder();
    return new KeySlot(
        id,
        now,
        KDF,
        DEFAULT_ITERATIONS,
        b64.encodeToString(salt),
        b64.encodeToString(sealed),
        note);
  }

  /** The master key, or null when this slot is not the given user key's. */
  public MasterKey unwrap(String storeId, UserKey user) {
    if (!KDF.equals(kdf)
        || iterations < 1
        || iterations > 10_000_000
        || salt == null
        || masterKey == null) {
      throw new SealException(
          "key slot " + id + " is malformed (kdf " + kdf + ", " + iterations + " iterations)");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    try {
      byte[] material =
          kek(user, b64.decode(salt), iterations).open(b64.decode(masterKey), aad(storeId, id));
      return material.length == MasterKey.LENGTH ? MasterKey.of(material) : null;
    } catch (SealException | IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] aad(String storeId, String slotId) {
    return ("strata-key-slot:" + storeId + ":" + slotId).getBytes(StandardCharsets.UTF_8);
  }

  private static Sealer kek(UserKey user, byte[] salt, int iterations) {
    byte[] derived = pbkdf2(user.secret(), salt, iterations);
    byte[] material = new byte[MasterKey.LENGTH];
    System.arraycopy(derived, 0, material, 0, derived.length);
    return Sealer.encrypting(MasterKey.of(material));
  }

  /**
   * PBKDF2-HMAC-SHA-256 over the key's raw bytes (the JDK's takes chars only), one 32-byte block.
   */
  static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(password, "HmacSHA256"));
      mac.update(salt);
      mac.update(new byte[] {0, 0, 0, 1});
      byte[] u = mac.doFinal();
      byte[] out = u.clone();
      for (int i = 1; i < iterations; i++) {
        u = mac.doFinal(u);
        for (int j = 0; j < out.length; j++) {
          out[j] ^= u[j];
        }
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no HMAC-SHA-256", e);
    }
  }
}
