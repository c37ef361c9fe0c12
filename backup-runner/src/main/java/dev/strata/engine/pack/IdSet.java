package dev.strata.engine.pack;

/**
 * A thread-safe set of 32-byte blob ids, striped over 64 {@link IdTable}s by the id's first byte:
 * the blobs one backup stores or relies on, at about 45 bytes each.
 */
public final class IdSet {

  private final IdTable[] stripes = new IdTable[64];

  public IdSet() {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new IdTable();
    }
  }

  /** Adds the id; false when it was there already. */
  public boolean add(byte[] id) {
    IdTable t = stripes[id[0] & 63];
    synchronized (t) {
      if (t.find(id, 0) >= 0) {
        return false;
      }
      t.add(id, 0);
      return true;
    }
  }

  public boolean contains(byte[] id) {
    IdTable t = stripes[id[0] & 63];
    synchronized (t) {
      return t.find(id, 0) >= 0;
    }
  }

  public long size() {
    long n = 0;
    for (IdTable t : stripes) {
      synchronized (t) {
        n += t.size();
      }
    }
    return n;
  }

  /** Calls {@code action} with every id (a copy); not while others add. */
  public void forEach(java.util.function.Consumer<byte[]> action) {
    for (IdTable t : stripes) {
      synchronized (t) {
        for (int e = 0; e < t.size(); e++) {
          action.accept(t.id(e));
        }
      }
    }
  }
}
