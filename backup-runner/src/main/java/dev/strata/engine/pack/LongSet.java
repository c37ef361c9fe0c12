package dev.strata.engine.pack;

import java.util.Arrays;

/**
 * A set of 64-bit values in an open-addressing array (16 bytes each at most): the first eight bytes
 * of blob ids where a false match is harmless, such as the collector's live set (a false match
 * keeps a blob that could have gone).
 */
public final class LongSet {

  private long[] table = new long[64];
  private int size;
  private boolean hasZero;

  public static long prefix(byte[] id) {
    return prefix(id, 0);
  }

  public static long prefix(byte[] id, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (id[off + i] & 0xff);
    }
    return v;
  }

  public boolean add(long v) {
    if (v == 0) {
      boolean added = !hasZero;
      hasZero = true;
      return added;
    }
    if ((size + 1) * 2 > table.length) {
      long[] old = table;
      table = new long[old.length * 2];
      size = 0;
      for (long x : old) {
        if (x != 0) {
          insert(x);
        }
      }
    }
    return insert(v);
  }

  private boolean insert(long v) {
    int mask = table.length - 1;
    for (int s = mix(v) & mask; ; s = (s + 1) & mask) {
      if (table[s] == 0) {
        table[s] = v;
        size++;
        return true;
      }
      if (table[s] == v) {
        return false;
      }
    }
  }

  public boolean contains(long v) {
    if (v == 0) {
      return hasZero;
    }
    int mask = table.length - 1;
    for (int s = mix(v) & mask; ; s = (s + 1) & mask) {
      if (table[s] == 0) {
        return false;
      }
      if (table[s] == v) {
        return true;
      }
    }
  }

  /** Calls {@code action} with each value, in no particular order. */
  public void forEach(java.util.function.LongConsumer action) {
    if (hasZero) {
      action.accept(0);
    }
    for (long v : table) {
      if (v != 0) {
        action.accept(v);
      }
    }
  }

  public int size() {
    return size + (hasZero ? 1 : 0);
  }

  public void clear() {
    Arrays.fill(table, 0);
    size = 0;
    hasZero = false;
  }

  private static int mix(long v) {
    v ^= v >>> 33;
    v *= 0xff51afd7ed558ccdL;
    return (int) (v ^ (v >>> 32));
  }
}
