package dev.strata.engine.pack;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Reads some blobs of one pack with one ranged request, from the first to the last, the bytes
 * between them dropped.
 */
public final class PackRange {

  /**
   * Receives a blob's stored bytes, {@code stored[0, length)}, valid during the call; false stops
   * the read.
   */
  public interface Visitor {
    boolean blob(int entry, byte[] stored, int length);
  }

  private PackRange() {}

  /**
   * Reads {@code entries} (sorted by offset) of the pack {@code key}; returns how many were handed
   * to the visitor (all of them unless it stopped). NOT_FOUND passes through as a StoreException; a
   * stream that breaks as an IOException.
   */
  public static int read(
      BlobStoreManager store,
      BlobIndex index,
      String key,
      List<Integer> entries,
      Metadata md,
      Visitor visitor)
      throws IOException {
    if (entries.isEmpty()) {
      return 0;
    }
    int first = index.offset(entries.get(0));
    int last = entries.get(entries.size() - 1);
    long length = (long) index.offset(last) + index.storedLength(last) - first;
    int done = 0;
    try (InputStream in = store.openRange(key, first, length, md)) {
      long pos = first;
      byte[] buf = new byte[0];
      for (int e : entries) {
        in.skipNBytes(index.offset(e) - pos);
        int stored = index.storedLength(e);
        if (buf.length < stored) {
          buf = new byte[stored];
        }
        if (in.readNBytes(buf, 0, stored) != stored) {
          throw new EOFException("the pack " + key + " ends early");
        }
        pos = (long) index.offset(e) + stored;
        done++;
        if (!visitor.blob(e, buf, stored)) {
          break;
        }
      }
    }
    return done;
  }
}
