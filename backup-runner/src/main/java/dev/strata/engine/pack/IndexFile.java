package dev.strata.engine.pack;

import dev.strata.engine.format.SealException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

/**
 * The content of an index file, {@code index/<id>}: for each pack it covers, the pack's id and time
 * and every blob in it (as the pack's own header lists them). A backup writes one before it commits
 * its snapshot; garbage collection and backups merge them as they multiply. Stored compressed, and
 * sealed when the store is encrypted (by {@link dev.strata.engine.format.Repository#putObject}).
 */
public final class IndexFile {

  static final int MAGIC = 0x53495832; // "SIX2"
  static final int VERSION = 1;

  /**
   * One pack and its blobs, as an index file lists them: {@code entries} holds {@code count}
   * entries of {@link PackFile#ENTRY} bytes each (type, flags, id, offset, stored length, content
   * length), as they are stored.
   */
  public record Pack(String packId, long createdAtMillis, int count, byte[] entries) {

    public static Pack of(String packId, long createdAtMillis, List<PackEntry> list) {
      ByteBuffer b = ByteBuffer.allocate(list.size() * PackFile.ENTRY);
      for (PackEntry e : list) {
        b.put(e.type())
            .put(e.flags())
            .put(e.id())
            .putInt(e.offset())
            .putInt(e.storedLength())
            .putInt(e.rawLength());
      }
      return new Pack(packId, createdAtMillis, list.size(), b.array());
    }

    public List<PackEntry> list() {
      List<PackEntry> out = new java.util.ArrayList<>(count);
      ByteBuffer b = ByteBuffer.wrap(entries);
      for (int i = 0; i < count; i++) {
        byte type = b.get();
        byte flags = b.get();
        byte[] id = new byte[32];
        b.get(id);
        out.add(new PackEntry(type, flags, id, b.getInt(), b.getInt(), b.getInt()));
      }
      return out;
    }

    public long storedBytes() {
      long n = 0;
      ByteBuffer b = ByteBuffer.wrap(entries);
      for (int i = 0; i < count; i++) {
        n += b.getInt(i * PackFile.ENTRY + 38);
      }
      return n;
    }
  }

  /**
   * Receives what an index file holds, pack by pack, blob by blob, without materialising entries.
   */
  public interface Visitor {
    void pack(String packId, long createdAtMillis, int entries);

    /** {@code id} is {@code idBuf[idOff, idOff+32)}, valid during the call only. */
    void entry(
        byte type,
        byte flags,
        byte[] idBuf,
        int idOff,
        int offset,
        int storedLength,
        int rawLength);
  }

  private IndexFile() {}

  public static byte[] encode(long createdAtMillis, List<Pack> packs) {
    int n = 4 + 4 + 8 + 4;
    for (Pack p : packs) {
      n += 32 + 8 + 4 + p.entries().length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    b.putInt(MAGIC).putInt(VERSION).putLong(createdAtMillis).putInt(packs.size());
    HexFormat hex = HexFormat.of();
    for (Pack p : packs) {
      b.put(hex.parseHex(p.packId()))
          .putLong(p.createdAtMillis())
          .putInt(p.count())
          .put(p.entries());
    }
    return b.array();
  }

  /**
   * An index file of a version this Strata does not read (a newer release wrote it): not damaged.
   */
  public static final class UnknownVersion extends SealException {
    UnknownVersion(String message) {
      super(message);
    }
  }

  public static void read(byte[] plain, String what, Visitor v) {
    try {
      ByteBuffer b = ByteBuffer.wrap(plain);
      if (b.getInt() != MAGIC) {
        throw new SealException(what + " is not a Strata index file");
      }
      int version = b.getInt();
      if (version != VERSION) {
        throw new UnknownVersion(
            what + " has index file version " + version + ", which this Strata does not read");
      }
      b.getLong();
      int packs = b.getInt();
      HexFormat hex = HexFormat.of();
      byte[] idBuf = new byte[32];
      for (int p = 0; p < packs; p++) {
        byte[] pid = new byte[32];
        b.get(pid);
        long time = b.getLong();
        int count = b.getInt();
        if (count < 0 || count > PackFile.MAX_ENTRIES) {
          throw new SealException(what + " lists " + count + " blobs in one pack");
        }
        v.pack(hex.formatHex(pid), time, count);
        for (int i = 0; i < count; i++) {
          byte type = b.get();
          byte flags = b.get();
          b.get(idBuf);
          int offset = b.getInt();
          int stored = b.getInt();
          int raw = b.getInt();
          if (offset < 0
              || stored <= 0
              || raw < 0
              || (type != PackEntry.DATA && type != PackEntry.TREE)) {
            throw new SealException(
                what
                    + " lists a blob with impossible numbers (offset "
                    + offset
                    + ", "
                    + stored
                    + " stored)");
          }
          v.entry(type, flags, idBuf, 0, offset, stored, raw);
        }
      }
      if (b.hasRemaining()) {
        throw new SealException(what + " has " + b.remaining() + " bytes after its last pack");
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new SealException(what + " is truncated");
    }
  }
}
