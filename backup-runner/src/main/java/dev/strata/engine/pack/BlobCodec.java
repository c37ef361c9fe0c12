package dev.strata.engine.pack;

import dev.strata.engine.format.Compression;
import dev.strata.engine.format.SealException;
import dev.strata.engine.format.Sealer;
import dev.strata.engine.format.Zstd;
import java.util.Arrays;

/**
 * How one blob is stored in a pack: compressed with zstd when that pays (flag {@link #COMPRESSED}),
 * then sealed when the store is encrypted (the blob's id is the associated data, so a blob cannot
 * pass for another one, wherever it is moved). Reading reverses it and checks that the bytes hash
 * to the blob's id (see {@link #forRestore} for the one exception). One instance per thread: it
 * reuses its buffers.
 */
public final class BlobCodec {

  public static final int COMPRESSED = 1;

  /**
   * {@code auto} tries this many bytes from the middle of a chunk at zstd's fastest level before
   * compressing it.
   */
  static final int SAMPLE = 8 * 1024;

  private final Sealer sealer;
  private byte[] zbuf = new byte[0];
  private byte[] sbuf = new byte[0];
  private final byte[] probe = new byte[Zstd.bound(SAMPLE)];

  /**
   * The result of the last {@link #encode}: the stored bytes are {@code stored[storedOffset,
   * storedOffset + storedLength)} (the input itself when it is stored as it is).
   */
  public byte[] stored;

  public int storedOffset;
  public int storedLength;
  public int flags;

  /**
   * Whether a sealed blob's content is hashed again after AES-GCM has opened it under its id:
   * always, except for {@link #forRestore}.
   */
  private final boolean rehashSealed;

  public BlobCodec(Sealer sealer) {
    this(sealer, true);
  }

  private BlobCodec(Sealer sealer, boolean rehashSealed) {
    this.sealer = sealer;
    this.rehashSealed = rehashSealed;
  }

  /**
   * A codec for restores: in an encrypted store, a blob that AES-GCM opens with its id as
   * associated data is the one sealed under that id (the tag checks every stored byte, and only a
   * holder of the store's key can make one), so hashing its content again (HMAC-SHA-256, about a
   * CPU-second per 2 GiB) adds nothing against damage or tampering. What it would still catch, a
   * writer that sealed content under a wrong id, is left to {@code strata verify --read-data},
   * which hashes every blob. Unencrypted blobs are always hashed: SHA-256 is their only check.
   */
  public static BlobCodec forRestore(Sealer sealer) {
    return new BlobCodec(sealer, false);
  }

  public void encode(Compression compression, byte[] id, byte[] raw, int off, int len) {
    byte[] payload = raw;
    int pOff = off;
    int pLen = len;
    flags = 0;
    if (compression != Compression.OFF
        && len > 64
        && worthCompressing(compression, raw, off, len)) {
      zbuf = ensure(zbuf, Zstd.bound(len));
      int n = Zstd.compress(compression.level, false, raw, off, len, zbuf, 0, len - len / 32);
      if (n > 0) {
        payload = zbuf;
        pOff = 0;
        pLen = n;
        flags = COMPRESSED;
      }
    }
    if (sealer.encrypted()) {
      sbuf = ensure(sbuf, pLen + Sealer.OVERHEAD);
      storedLength = sealer.seal(payload, pOff, pLen, Sealer.blobAad(id), sbuf, 0);
      stored = sbuf;
      storedOffset = 0;
    } else {
      stored = payload;
      storedOffset = pOff;
      storedLength = pLen;
    }
  }

  /** The cheap test of {@code auto}: a small sample at the fastest level must shrink by a tenth. */
  private boolean worthCompressing(Compression c, byte[] raw, int off, int len) {
    if (c != Compression.AUTO || len <= 2 * SAMPLE) {
      return true;
    }
    int from = off + (len - SAMPLE) / 2;
    return Zstd.compress(1, false, raw, from, SAMPLE, probe, 0, SAMPLE - SAMPLE / 10) > 0;
  }

  /**
   * The result of the last {@link #decode}: the blob's content is {@code raw[rawOffset, rawOffset +
   * rawLength)}.
   */
  public byte[] raw;

  public int rawOffset;

  /**
   * Restores a blob's content from its stored bytes (into {@code out}, at least {@code rawLength}
   * long, when it must be decrypted or decompressed; else it stays where it is) and checks it
   * against {@code id}; see {@link #raw}. Throws {@link SealException} on any mismatch: tampered,
   * damaged or misplaced bytes.
   */
  public void decode(byte[] id, byte[] in, int off, int len, int flags, int rawLength, byte[] out) {
    byte[] payload = in;
    int pOff = off;
    int pLen = len;
    if (sealer.encrypted()) {
      sbuf = ensure(sbuf, len);
      pLen = sealer.open(in, off, len, Sealer.blobAad(id), sbuf, 0);
      payload = sbuf;
      pOff = 0;
    }
    if ((flags & COMPRESSED) != 0) {
      Zstd.decompress(payload, pOff, pLen, out, 0, rawLength);
      raw = out;
      rawOffset = 0;
    } else {
      if (pLen != rawLength) {
        throw new SealException("a stored blob has " + pLen + " bytes, not " + rawLength);
      }
      raw = payload;
      rawOffset = pOff;
    }
    if ((rehashSealed || !sealer.encrypted())
        && !Arrays.equals(sealer.blobId(raw, rawOffset, rawLength), id)) {
      throw new SealException("a blob's content does not match its id");
    }
  }

  private byte[] obuf = new byte[0];

  /**
   * {@link #decode} of the blob at {@code entry} of {@code index}, whose stored bytes are {@code
   * in[0, stored)}, into a buffer of this codec's that grows to the largest blob it decodes; see
   * {@link #raw}. The content's length is {@code index.rawLength(entry)}.
   */
  public void decode(BlobIndex index, int entry, byte[] in, int stored) {
    int rawLength = index.rawLength(entry);
    obuf = ensure(obuf, rawLength);
    decode(index.id(entry), in, 0, stored, index.flags(entry), rawLength, obuf);
  }

  static byte[] ensure(byte[] b, int n) {
    return b.length >= n ? b : new byte[Math.max(n, b.length + b.length / 2)];
  }
}
