package dev.strata.engine.pack;

import java.util.Arrays;

/**
 * 32-byte blob ids in one byte array with an open-addressing table over them: about 45 bytes per id
 * instead of the 150 of a set of hex strings, so a million blobs fit in tens of megabytes. Ids are
 * hashes, so their first eight bytes spread evenly. An id may be added more than once: {@link
 * #find} returns the newest entry, {@link #next} the one added before it. Not thread-safe; see
 * {@link IdSet} for a concurrent set.
 */
public final class IdTable {

  private byte[] ids = new byte[32 * 16];
  private int[] older = new int[16];
  private int size;
  private int[] slots = new int[32];

  public int size() {
    return size;
  }

  /** Adds an entry for the id; returns its index (0, 1, 2... in the order of adding). */
  public int add(byte[] id, int off) {
    if (size == older.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
      older = Arrays.copyOf(older, older.length * 2);
    }
    if ((size + 1) * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    int e = size++;
    System.arraycopy(id, off, ids, e * 32, 32);
    int mask = slots.length - 1;
    for (int s = hash(id, off) & mask; ; s = (s + 1) & mask) {
      int cur = slots[s] - 1;
      if (cur < 0) {
        slots[s] = e + 1;
        older[e] = -1;
        return e;
      }
      if (Arrays.equals(ids, cur * 32, cur * 32 + 32, id, off, off + 32)) {
        slots[s] = e + 1;
        older[e] = cur;
        return e;
      }
    }
  }

  public int add(byte[] id) {
    return add(id, 0);
  }

  /** The newest entry of the id, or -1. */
  public int find(byte[] id, int off) {
    int mask = slots.length - 1;
    for (int s = hash(id, off) & mask; ; s = (s + 1) & mask) {
      int cur = slots[s] - 1;
      if (cur < 0) {
        return -1;
      }
      if (Arrays.equals(ids, cur * 32, cur * 32 + 32, id, off, off + 32)) {
        return cur;
      }
    }
  }

  public int find(byte[] id) {
    return find(id, 0);
  }

  public boolean contains(byte[] id) {
    return find(id, 0) >= 0;
  }

  /** The entry of the same id added before {@code entry}, or -1. */
  public int next(int entry) {
    return older[entry];
  }

  public byte[] id(int entry) {
    return Arrays.copyOfRange(ids, entry * 32, entry * 32 + 32);
  }

  /** Copies an entry's id into {@code out} at {@code off}. */
  public void copyId(int entry, byte[] out, int off) {
    System.arraycopy(ids, entry * 32, out, off, 32);
  }

  private void rehash(int capacity) {
    int[] fresh = new int[capacity];
    int mask = capacity - 1;
    // Newest first: only the newest entry of each id sits in the table; older ones hang off it
    // through older[].
    for (int e = size - 1; e >= 0; e--) {
      for (int s = hash(ids, e * 32) & mask; ; s = (s + 1) & mask) {
        int cur = fresh[s] - 1;
        if (cur < 0) {
          fresh[s] = e + 1;
          break;
        }
        if (Arrays.equals(ids, cur * 32, cur * 32 + 32, ids, e * 32, e * 32 + 32)) {
          break;
        }
      }
    }
    slots = fresh;
  }

  static int hash(byte[] id, int off) {
    long h =
        (id[off] & 0xffL)
            | (id[off + 1] & 0xffL) << 8
            | (id[off + 2] & 0xffL) << 16
            | (id[off + 3] & 0xffL) << 24
            | (id[off + 4] & 0xffL) << 32
            | (id[off + 5] & 0xffL) << 40
            | (id[off + 6] & 0xffL) << 48
            | (id[off + 7] & 0xffL) << 56;
    h ^= h >>> 29;
    h *= 0xbf58476d1ce4e5b9L;
    return (int) (h ^ (h >>> 32));
  }
}
