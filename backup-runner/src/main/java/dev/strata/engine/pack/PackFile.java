package dev.strata.engine.pack;

import dev.strata.engine.Hashing;
import dev.strata.engine.format.SealException;
import dev.strata.engine.format.Sealer;
import dev.strata.engine.store.StoreLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The layout of a pack object, {@code packs/<2 hex>/<pack id>}: the stored bytes of its blobs one
 * after another, then its header, then a 12-byte trailer (the header's length, big-endian, and the
 * magic {@code STRATAP2}). The header lists every blob (type, flags, id, offset, stored and content
 * length; {@link #ENTRY} bytes each after a 4-byte magic and count), so a pack describes itself
 * without any index. In an encrypted store the header is sealed with the pack id as associated
 * data; otherwise it is followed by its CRC32C. Pack ids are random: they say nothing about
 * content.
 */
public final class PackFile {

  static final byte[] MAGIC = "STRATAP2".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_MAGIC = 0x53504832; // "SPH2"
  public static final int ENTRY = 1 + 1 + 32 + 4 + 4 + 4;
  public static final int TRAILER = 4 + 8;

  /** At most this many blobs in one pack, so a header stays well under a MiB. */
  public static final int MAX_ENTRIES = 16_384;

  private PackFile() {}

  public static String newPackId() {
    byte[] id = new byte[32];
    new SecureRandom().nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  public static String key(String packId) {
    return StoreLayout.packKey(packId);
  }

  /** The largest header plus trailer for {@code entries} blobs. */
  public static int tailCapacity(int entries) {
    return 8 + entries * ENTRY + Sealer.OVERHEAD + 4 + TRAILER;
  }

  /**
   * The end of a pack whose blobs are {@code entries}: its header (sealed, or followed by its
   * CRC32C) and the trailer (the header's length and the magic); at most {@link #tailCapacity}
   * bytes.
   */
  public static byte[] tail(Sealer sealer, String packId, List<PackEntry> entries) {
    ByteBuffer h = ByteBuffer.allocate(8 + entries.size() * ENTRY);
    h.putInt(HEADER_MAGIC).putInt(entries.size());
    for (PackEntry e : entries) {
      h.put(e.type())
          .put(e.flags())
          .put(e.id())
          .putInt(e.offset())
          .putInt(e.storedLength())
          .putInt(e.rawLength());
    }
    byte[] plain = h.array();
    byte[] out = new byte[sealer.sealedLength(plain.length) + 4 + TRAILER];
    int len;
    if (sealer.encrypted()) {
      len = sealer.seal(plain, 0, plain.length, headerAad(packId), out, 0);
    } else {
      System.arraycopy(plain, 0, out, 0, plain.length);
      CRC32C crc = new CRC32C();
      crc.update(plain);
      ByteBuffer.wrap(out, plain.length, 4).putInt((int) crc.getValue());
      len = plain.length + 4;
    }
    ByteBuffer.wrap(out, len, TRAILER).putInt(len).put(MAGIC);
    return java.util.Arrays.copyOf(out, len + TRAILER);
  }

  /** The header's length, from a pack's last {@link #TRAILER} bytes. */
  public static int headerLength(byte[] trailer, String what) {
    ByteBuffer t = ByteBuffer.wrap(trailer);
    int len = t.getInt();
    byte[] magic = new byte[8];
    t.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC) || len < 12 || len > tailCapacity(MAX_ENTRIES)) {
      throw new SealException(what + " is not a Strata pack (no pack trailer)");
    }
    return len;
  }

  /**
   * Reads a pack's header (the {@code len} bytes before the trailer) back into its entries,
   * checking it.
   */
  public static List<PackEntry> readHeader(
      Sealer sealer, String packId, byte[] sealedHeader, String what) {
    byte[] plain;
    if (sealer.encrypted()) {
      try {
        plain = sealer.open(sealedHeader, headerAad(packId));
      } catch (SealException e) {
        throw new SealException(
            "the header of " + what + " cannot be opened: " + e.getMessage(), e);
      }
    } else {
      int n = sealedHeader.length - 4;
      CRC32C crc = new CRC32C();
      crc.update(sealedHeader, 0, Math.max(0, n));
      if (n < 8 || ByteBuffer.wrap(sealedHeader, n, 4).getInt() != (int) crc.getValue()) {
        throw new SealException("the header of " + what + " is damaged (checksum)");
      }
      plain = java.util.Arrays.copyOf(sealedHeader, n);
    }
    ByteBuffer h = ByteBuffer.wrap(plain);
    if (h.getInt() != HEADER_MAGIC) {
      throw new SealException("the header of " + what + " has no pack header magic");
    }
    int count = h.getInt();
    if (count < 0 || count > MAX_ENTRIES || h.remaining() != count * ENTRY) {
      throw new SealException(
          "the header of " + what + " lists " + count + " blobs in " + h.remaining() + " bytes");
    }
    List<PackEntry> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte type = h.get();
      byte flags = h.get();
      byte[] id = new byte[32];
      h.get(id);
      out.add(new PackEntry(type, flags, id, h.getInt(), h.getInt(), h.getInt()));
    }
    return out;
  }

  private static byte[] headerAad(String packId) {
    return ("strata-pack-header:" + packId).getBytes(StandardCharsets.US_ASCII);
  }

  static String hex(byte[] id) {
    return Hashing.hex(id);
  }
}
