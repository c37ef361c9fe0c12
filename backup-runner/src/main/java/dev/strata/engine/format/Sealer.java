package dev.strata.engine.format;

import dev.strata.engine.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a store does to bytes before they leave the machine, and how it names blobs. An encrypted
 * store seals every blob, pack header, index file, snapshot and pending object with AES-256-GCM
 * under its master key (layout: 12-byte random nonce, ciphertext, 16-byte tag) and names blobs by
 * HMAC-SHA-256 of their content under its id key; the associated data binds each sealed object to
 * what it is (a blob to its id, an object to its key), so bytes moved to another name, swapped
 * between packs, or replayed under another object fail to open. A store without encryption names
 * blobs by SHA-256 and passes bytes through; their integrity rests on the blob ids and on
 * checksums.
 */
public final class Sealer {

  public static final int NONCE = 12;
  public static final int TAG = 16;
  public static final int OVERHEAD = NONCE + TAG;

  /** The unencrypted store's sealer: no secrets, ids are plain SHA-256. */
  public static final Sealer NONE = new Sealer(null);

  private final MasterKey key;
  private final SecretKeySpec aes;
  private final ThreadLocal<Cipher> ciphers;
  private final ThreadLocal<Mac> macs;
  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(Sealer::newRandom);

  /** Blobs at least this long start the warm-up of AES-GCM (see {@link #warmUp}). */
  static final int WARM_UP_FROM = 64 * 1024;

  private static final AtomicBoolean WARMING = new AtomicBoolean();

  private Sealer(MasterKey key) {
    this.key = key;
    if (key == null) {
      this.aes = null;
      this.ciphers = null;
      this.macs = null;
      return;
    }
    this.aes = new SecretKeySpec(key.encryptionKey(), "AES");
    SecretKeySpec macKey = new SecretKeySpec(key.idKey(), "HmacSHA256");
    this.ciphers =
        ThreadLocal.withInitial(
            () -> {
              try {
                return Cipher.getInstance("AES/GCM/NoPadding");
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no AES-GCM", e);
              }
            });
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(macKey);
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no HMAC-SHA-256", e);
              }
            });
  }

  /**
   * The sealer of an encrypted store; it starts the warm-up of AES-GCM (see {@link #warmUp}) while
   * the store opens.
   */
  public static Sealer encrypting(MasterKey key) {
    warmUp();
    return new Sealer(key);
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  public boolean encrypted() {
    return key != null;
  }

  MasterKey masterKey() {
    return key;
  }

  /** The seed of the chunker's gear table: secret in an encrypted store, fixed otherwise. */
  public byte[] chunkerSeed() {
    return key == null
        ? "strata-fastcdc-gear-v1".getBytes(StandardCharsets.US_ASCII)
        : key.chunkerSeed();
  }

  /** The blob id of content: HMAC-SHA-256 under the id key when encrypted, else SHA-256. */
  public byte[] blobId(byte[] data, int off, int len) {
    if (key == null) {
      return Hashing.sha256(data, off, len);
    }
    Mac m = macs.get();
    m.update(data, off, len);
    return m.doFinal();
  }

  /**
   * The blob ids of all-zero content of each of {@code sizes} (ascending), hashing the zeros once
   * for all of them.
   */
  public byte[][] zeroBlobIds(long[] sizes) {
    if (key == null) {
      return Hashing.sha256OfZeros(sizes);
    }
    Mac m = copy(macs.get());
    return Hashing.ofZeros(m::update, () -> copy(m).doFinal(), sizes);
  }

  private static Mac copy(Mac m) {
    try {
      return (Mac) m.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("HMAC-SHA-256 cannot be copied", e);
    }
  }

  public int sealedLength(int plainLength) {
    return key == null ? plainLength : plainLength + OVERHEAD;
  }

  /**
   * Seals {@code in[off, off+len)} into {@code out} at {@code outOff}; returns the sealed length.
   */
  public int seal(byte[] in, int off, int len, byte[] aad, byte[] out, int outOff) {
    if (key == null) {
      System.arraycopy(in, off, out, outOff, len);
      return len;
    }
    if (len >= WARM_UP_FROM) {
      warmUp();
    }
    try {
      Cipher c = ciphers.get();
      byte[] nonce = new byte[NONCE];
      RANDOM.get().nextBytes(nonce);
      c.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(TAG * 8, nonce));
      c.updateAAD(aad);
      System.arraycopy(nonce, 0, out, outOff, NONCE);
      return NONCE + c.doFinal(in, off, len, out, outOff + NONCE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to encrypt: " + e.getMessage(), e);
    }
  }

  /**
   * Compiles the JDK's AES-GCM code, once per process, on a thread of its own. The JDK hands GHASH
   * and AES-CTR to the processor's instructions only from compiled callers, and its loops over a
   * whole blob are called a few times a megabyte: left alone, a backup's first gigabyte is sealed
   * by interpreted code, several times slower than the instructions (measured: 7 s against 0.3 s
   * per GiB). A few thousand small operations with a throwaway key make the JIT compile them, in
   * about 0.1 s of one processor, while the store opens (the compilers need a moment more on a busy
   * machine; until then the first blobs are sealed slowly).
   */
  static void warmUp() {
    if (WARMING.get() || !WARMING.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                byte[] k = new byte[32];
                RANDOM.get().nextBytes(k);
                SecretKeySpec key = new SecretKeySpec(k, "AES");
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                byte[] plain = new byte[4096];
                byte[] sealed = new byte[plain.length + TAG];
                byte[] nonce = new byte[NONCE];
                for (int i = 0; i < 4000; i++) {
                  nonce[0] = (byte) i;
                  nonce[1] = (byte) (i >> 8);
                  c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
                  c.updateAAD(nonce);
                  int n = c.doFinal(plain, 0, plain.length, sealed, 0);
                  c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
                  c.updateAAD(nonce);
                  c.doFinal(sealed, 0, n, plain, 0);
                }
              } catch (GeneralSecurityException e) {
                // only a warm-up: sealing itself reports what is wrong
              }
            },
            "strata-aes-gcm-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  public byte[] seal(byte[] plain, byte[] aad) {
    byte[] out = new byte[sealedLength(plain.length)];
    seal(plain, 0, plain.length, aad, out, 0);
    return out;
  }

  /**
   * Opens sealed bytes into {@code out} at {@code outOff}; returns the plaintext's length. Fails
   * with a {@link SealException} when the bytes are not what was sealed under this key with this
   * associated data.
   */
  public int open(byte[] in, int off, int len, byte[] aad, byte[] out, int outOff) {
    if (key == null) {
      System.arraycopy(in, off, out, outOff, len);
      return len;
    }
    if (len < OVERHEAD) {
      throw new SealException("sealed bytes are too short (" + len + " bytes)");
    }
    if (len >= WARM_UP_FROM) {
      warmUp();
    }
    try {
      Cipher c = ciphers.get();
      c.init(Cipher.DECRYPT_MODE, aes, new GCMParameterSpec(TAG * 8, in, off, NONCE));
      c.updateAAD(aad);
      return c.doFinal(in, off + NONCE, len - NONCE, out, outOff);
    } catch (AEADBadTagException e) {
      throw new SealException(
          "authentication failed: the bytes were changed, moved to another name, or sealed under another key");
    } catch (GeneralSecurityException e) {
      throw new SealException("cannot decrypt: " + e.getMessage(), e);
    }
  }

  public byte[] open(byte[] sealed, byte[] aad) {
    if (key == null) {
      return sealed;
    }
    if (sealed.length < OVERHEAD) {
      throw new SealException("sealed bytes are too short (" + sealed.length + " bytes)");
    }
    byte[] out = new byte[sealed.length - OVERHEAD];
    open(sealed, 0, sealed.length, aad, out, 0);
    return out;
  }

  /** Associated data for an object: its key (so it cannot be moved to another name). */
  public static byte[] objectAad(String key) {
    return ("strata-object:" + key).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Associated data for a blob: its id (so a blob cannot stand in for another, whatever pack holds
   * it).
   */
  public static byte[] blobAad(byte[] id) {
    byte[] aad = new byte[5 + id.length];
    aad[0] = 'b';
    aad[1] = 'l';
    aad[2] = 'o';
    aad[3] = 'b';
    aad[4] = ':';
    System.arraycopy(id, 0, aad, 5, id.length);
    return aad;
  }
}
