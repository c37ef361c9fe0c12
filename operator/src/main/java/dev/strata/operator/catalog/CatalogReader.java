package dev.strata.operator.catalog;

import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Reads a store's catalog through the engine's own reader (so that whatever the store's format,
 * what a restore can read is what is listed): one listing of the index objects, and the header of
 * each index not read before. An index never changes once written, so summaries are kept by store
 * location and key, shared by every SnapshotStore on the same bucket, and each index is read once
 * in the operator's life; those gone from the bucket are dropped. Snapshots of an encrypted store
 * (format 2) are read with its key, asked for only when there is a snapshot to read.
 */
public final class CatalogReader {

  private final Map<String, SnapshotSummary> summaries = new ConcurrentHashMap<>();

  /** {@link #read(BlobStoreManager, Supplier, Instant)} of a store without encryption. */
  public Listing read(BlobStoreManager store, Instant now) {
    return read(store, () -> null, now);
  }

  /**
   * @param key the store's key, or null for a store without encryption; asked for once, when a
   *     snapshot is to be read
   * @throws StoreException when the store fails (the listing is then not replaced); an index that
   *     cannot be read, or that the key cannot open, is reported in {@link Listing#unreadable()}
   *     instead
   */
  public Listing read(BlobStoreManager store, Supplier<UserKey> key, Instant now) {
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    SnapshotCatalog reading = null;
    String cannotOpen = null;
    String location = store.location();
    Map<String, Listing.Entry> found = new TreeMap<>();
    List<String> unreadable = new ArrayList<>();
    Set<String> listed = new HashSet<>();
    for (SnapshotCatalog.Entry e : catalog.entries(null)) {
      String cacheKey = location + "\n" + e.key();
      listed.add(cacheKey);
      SnapshotSummary summary = summaries.get(cacheKey);
      if (summary == null) {
        if (reading == null && cannotOpen == null) {
          try {
            UserKey k = key.get();
            reading = k == null ? catalog : new SnapshotCatalog(Repository.open(store, k));
          } catch (StoreException ex) {
            throw ex;
          } catch (RuntimeException ex) {
            cannotOpen = ex.getMessage();
          }
        }
        if (cannotOpen != null) {
          unreadable.add(e.key() + ": " + cannotOpen);
          continue;
        }
        Optional<SnapshotSummary> read;
        try {
          read = reading.summary(e);
        } catch (StoreException ex) {
          throw ex;
        } catch (RuntimeException ex) {
          unreadable.add(e.key() + ": " + ex.getMessage());
          continue;
        }
        if (read.isEmpty()) {
          continue; // forgotten since it was listed
        }
        summary = read.get();
        if (!e.snapshotId().equals(summary.snapshotId())
            || summary.metadata() == null
            || summary.stats() == null) {
          unreadable.add(
              e.key()
                  + ": the index names snapshot "
                  + summary.snapshotId()
                  + " or lacks its metadata");
          continue;
        }
        summaries.put(cacheKey, summary);
      }
      found.put(e.snapshotId(), new Listing.Entry(e.snapshotId(), e.key(), summary));
    }
    summaries.keySet().removeIf(k -> k.startsWith(location + "\n") && !listed.contains(k));
    return new Listing(location, now, found, unreadable);
  }
}
