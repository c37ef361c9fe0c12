package dev.strata.engine.pack;

/**
 * An open-addressing map from non-zero 64-bit keys to pairs of longs (24 bytes an entry at most):
 * where a restore wrote each blob, keyed by the first eight bytes of its id.
 */
public final class LongLongMap {

  private long[] keys = new long[64];
  private long[] a = new long[64];
  private long[] b = new long[64];
  private int size;

  /** Puts a pair unless the key is there already; key 0 is ignored. */
  public void putIfAbsent(long key, long va, long vb) {
    if (key == 0) {
      return;
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int s = mix(key) & mask; ; s = (s + 1) & mask) {
      if (keys[s] == 0) {
        keys[s] = key;
        a[s] = va;
        b[s] = vb;
        size++;
        return;
      }
      if (keys[s] == key) {
        return;
      }
    }
  }

  /** The slot of the key, or -1; read the pair with {@link #first} and {@link #second}. */
  public int find(long key) {
    if (key == 0) {
      return -1;
    }
    int mask = keys.length - 1;
    for (int s = mix(key) & mask; ; s = (s + 1) & mask) {
      if (keys[s] == 0) {
        return -1;
      }
      if (keys[s] == key) {
        return s;
      }
    }
  }

  public long first(int slot) {
    return a[slot];
  }

  public long second(int slot) {
    return b[slot];
  }

  public int size() {
    return size;
  }

  private void grow() {
    long[] ok = keys;
    long[] oa = a;
    long[] ob = b;
    keys = new long[ok.length * 2];
    a = new long[ok.length * 2];
    b = new long[ok.length * 2];
    size = 0;
    for (int i = 0; i < ok.length; i++) {
      if (ok[i] != 0) {
        putIfAbsent(ok[i], oa[i], ob[i]);
      }
    }
  }

  private static int mix(long v) {
    v ^= v >>> 33;
    v *= 0xff51afd7ed558ccdL;
    return (int) (v ^ (v >>> 32));
  }
}
