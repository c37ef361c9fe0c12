package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SealException;
import dev.strata.engine.pack.BlobCodec;
import dev.strata.engine.pack.BlobIndex;
import dev.strata.engine.pack.PackFile;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.tree.ChunkedTreeSource;
import dev.strata.engine.tree.IndexTreeSource;
import dev.strata.engine.tree.TreeSource;
import dev.strata.engine.tree.ValidatingTreeSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * Reads single blobs of a format-2 store by id (from the newest pack that holds one, trying older
 * copies when a pack is gone or a copy fails its check), and snapshots' trees of either format as
 * validated streams.
 */
public final class BlobSource {

  private final Repository repo;
  private BlobIndex index;
  private final Supplier<BlobIndex> loader;
  private final ThreadLocal<BlobCodec> codecs;

  public BlobSource(Repository repo, BlobIndex index) {
    this(repo, index, () -> BlobIndex.load(repo));
  }

  /**
   * With the index loaded (and read again) by {@code loader}: a collector's dry run adds to it, in
   * memory, the packs it would list in a new index file.
   */
  public BlobSource(Repository repo, BlobIndex index, Supplier<BlobIndex> loader) {
    this.repo = repo;
    this.index = index;
    this.loader = loader;
    this.codecs = ThreadLocal.withInitial(() -> new BlobCodec(repo.sealer()));
  }

  public Repository repository() {
    return repo;
  }

  /** The store's index, loaded on first use. */
  public synchronized BlobIndex index() {
    if (index == null) {
      index = loader.get();
    }
    return index;
  }

  private boolean reloaded;

  /**
   * A blob's content, checked against its id; fails when no pack holds an intact copy. When the
   * index this source loaded has no copy (a collector repacked it since, or a backup stored it
   * since), the index is read again, once.
   */
  public byte[] read(byte[] id, Metadata md) {
    try {
      return readFrom(index(), id, md);
    } catch (StoreException e) {
      if (e.kind() != StoreException.Kind.NOT_FOUND) {
        throw e;
      }
      BlobIndex fresh;
      synchronized (this) {
        if (reloaded) {
          throw e;
        }
        reloaded = true;
        index = loader.get();
        fresh = index;
      }
      return readFrom(fresh, id, md);
    }
  }

  private byte[] readFrom(BlobIndex ix, byte[] id, Metadata md) {
    int[] locations = ix.locations(id);
    SealException damaged = null;
    for (int e : locations) {
      String key = PackFile.key(ix.packId(e));
      int stored = ix.storedLength(e);
      byte[] buf = new byte[stored];
      try {
        readRange(key, ix.offset(e), buf, md);
      } catch (StoreException ex) {
        if (ex.kind() == StoreException.Kind.NOT_FOUND) {
          ix.markAbsent(ix.packId(e));
          continue;
        }
        if (ex.kind() == StoreException.Kind.INTEGRITY) {
          damaged = new SealException(ex.getMessage(), ex);
          continue;
        }
        throw ex;
      } catch (SealException | java.io.EOFException ex) {
        damaged =
            ex instanceof SealException se
                ? se
                : new SealException("the pack " + key + " ends early", ex);
        continue;
      }
      BlobCodec codec = codecs.get();
      int raw = ix.rawLength(e);
      byte[] out = new byte[raw];
      try {
        codec.decode(id, buf, 0, stored, ix.flags(e), raw, out);
      } catch (SealException ex) {
        damaged =
            new SealException(
                "blob " + Hashing.hex(id) + " in " + key + " is corrupt: " + ex.getMessage(), ex);
        continue;
      }
      if (codec.raw != out || codec.rawOffset != 0) {
        System.arraycopy(codec.raw, codec.rawOffset, out, 0, raw);
      }
      return out;
    }
    if (damaged != null) {
      throw new IntegrityException(
          "blob "
              + Hashing.hex(id)
              + " is damaged in every pack that holds it ("
              + damaged.getMessage()
              + ")");
    }
    throw new StoreException(
        StoreException.Kind.NOT_FOUND,
        "blob " + Hashing.hex(id) + " is in no pack of " + repo.store().location());
  }

  /**
   * Reads {@code buf.length} bytes of the pack {@code key} from {@code offset}. Opening the range
   * is retried by the store; a stream that breaks while it is read (a connection reset) is read
   * again here, up to four times.
   */
  private void readRange(String key, long offset, byte[] buf, Metadata md)
      throws java.io.EOFException {
    for (int attempt = 1; ; attempt++) {
      try (InputStream in = repo.store().openRange(key, offset, buf.length, md)) {
        if (in.readNBytes(buf, 0, buf.length) != buf.length) {
          throw new java.io.EOFException("the pack " + key + " ends early");
        }
        return;
      } catch (java.io.EOFException ex) {
        throw ex;
      } catch (IOException ex) {
        if (attempt >= 4) {
          throw new StoreException(
              StoreException.Kind.TRANSIENT,
              "reading " + key + " failed " + attempt + " times: " + ex.getMessage(),
              ex);
        }
      }
    }
  }

  /** The snapshot's tree as a validated stream of records. */
  public TreeSource tree(Snapshot s) {
    if (s.formatVersion() == 1) {
      return new ValidatingTreeSource(
          new IndexTreeSource(s.v1Index().root()), s.snapshotId(), false);
    }
    return new ValidatingTreeSource(new ChunkedTreeSource(chunks(s)), s.snapshotId(), true);
  }

  /**
   * Fetches tree blobs ahead of the parser: a tree is read one blob after another, and each is a
   * round trip.
   */
  private static final java.util.concurrent.ExecutorService PREFETCH =
      java.util.concurrent.Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "strata-tree-prefetch");
            t.setDaemon(true);
            return t;
          });

  /**
   * The content of a format-2 snapshot's tree blobs, in order, the next one fetched while the
   * current one is read.
   */
  public Iterator<byte[]> chunks(Snapshot s) {
    List<String> ids = s.treeChunks();
    return new Iterator<>() {
      int next;
      java.util.concurrent.CompletableFuture<byte[]> ahead = fetch(0);

      private java.util.concurrent.CompletableFuture<byte[]> fetch(int i) {
        if (i >= ids.size()) {
          return null;
        }
        return java.util.concurrent.CompletableFuture.supplyAsync(
            () -> load(s, ids.get(i)), PREFETCH);
      }

      @Override
      public boolean hasNext() {
        return next < ids.size();
      }

      @Override
      public byte[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        java.util.concurrent.CompletableFuture<byte[]> current = ahead;
        next++;
        ahead = fetch(next);
        try {
          return current.join();
        } catch (java.util.concurrent.CompletionException e) {
          Workers.rethrow(e.getCause());
          throw e;
        }
      }
    };
  }

  private byte[] load(Snapshot s, String id) {
    try {
      return read(
          Hashing.unhex(id), Metadata.of(s.metadata().sourceId(), "tree of " + s.snapshotId()));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        throw new IntegrityException(
            "snapshot "
                + s.snapshotId()
                + " cannot be read: its tree blob "
                + id
                + " is missing ("
                + e.getMessage()
                + ")");
      }
      throw e;
    }
  }
}
