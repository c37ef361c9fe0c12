package dev.strata.engine;

import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed snapshots of a store, found from their index objects: an index exists if and only if its snapshot is
 * committed. "Latest" is per source identity and only ever a snapshot whose index names that same source. Tombstones of
 * forgotten snapshots are not snapshots: listings, {@link #latest} and {@link #load} never see them.
 */
public final class SnapshotCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCatalog.class);

  /** Where a committed snapshot's index is. */
  public record Entry(String snapshotId, String key, ObjectInfo object) {}

  private final BlobStoreManager store;

  public SnapshotCatalog(BlobStoreManager store) {
    this.store = store;
  }

  /** All index objects, oldest first within each source folder. */
  public List<Entry> entries(String sourceIdOrNull) {
    String prefix = sourceIdOrNull == null ? StoreLayout.SNAPSHOTS : StoreLayout.sourceFolder(sourceIdOrNull);
    List<Entry> out = new ArrayList<>();
    store.list(
        prefix,
        o -> {
          String id = StoreLayout.snapshotIdOf(o.key());
          if (id != null && SnapshotIds.isValid(id)) {
            out.add(new Entry(id, o.key(), o));
          }
        },
        Metadata.of(sourceIdOrNull, prefix));
    return out;
  }

  /** Summaries of the snapshots of one source (or all when null), oldest first. */
  public List<SnapshotSummary> summaries(String sourceIdOrNull) {
    List<SnapshotSummary> out = new ArrayList<>();
    for (Entry e : entries(sourceIdOrNull)) {
      Optional<byte[]> bytes = getIfPresent(e, sourceIdOrNull);
      if (bytes.isEmpty()) {
        continue; // forgotten since it was listed
      }
      SnapshotSummary s = IndexCodec.decodeSummary(bytes.get(), e.key());
      if (sourceIdOrNull == null || sourceIdOrNull.equals(s.metadata().sourceId())) {
        out.add(s);
      }
    }
    out.sort((a, b) -> a.snapshotId().compareTo(b.snapshotId()));
    return out;
  }

  /** The newest committed snapshot of exactly this source, if any. */
  public Optional<SnapshotIndex> latest(String sourceId) {
    List<Entry> entries = entries(sourceId);
    for (int i = entries.size() - 1; i >= 0; i--) {
      SnapshotIndex index;
      try {
        index = read(entries.get(i), sourceId);
      } catch (SnapshotNotFoundException e) {
        continue; // forgotten since it was listed: the one before it is the latest now
      }
      // The folder is keyed by a hash prefix; the index itself says whose it is.
      if (sourceId.equals(index.metadata().sourceId())) {
        return Optional.of(index);
      }
    }
    return Optional.empty();
  }

  /**
   * The newest committed snapshot of a source, or, while it has none under its identity, the newest under the first of
   * its former identities that has one (an identity it had before, e.g. {@code namespace/pvc/path} from before
   * cluster identities were part of Kubernetes source ids). A source that has a snapshot of its own never falls back.
   */
  public Optional<SnapshotIndex> latest(String sourceId, List<String> formerSourceIds) {
    Optional<SnapshotIndex> own = latest(sourceId);
    for (int i = 0; own.isEmpty() && i < formerSourceIds.size(); i++) {
      own = latest(formerSourceIds.get(i));
    }
    return own;
  }

  /**
   * The summary of one listed snapshot, read from its index without its tree; empty when it was forgotten since it was
   * listed. Indexes never change once written, so a caller that keeps summaries by key reads each one once.
   */
  public Optional<SnapshotSummary> summary(Entry entry) {
    return getIfPresent(entry, null).map(bytes -> IndexCodec.decodeSummary(bytes, "index " + entry.key()));
  }

  public SnapshotIndex load(String snapshotId) {
    return read(find(snapshotId), null);
  }

  public Entry find(String snapshotId) {
    SnapshotIds.require(snapshotId);
    for (Entry e : entries(null)) {
      if (e.snapshotId().equals(snapshotId)) {
        return e;
      }
    }
    throw notFound(snapshotId);
  }

  public SnapshotIndex read(Entry entry, String sourceIdOrNull) {
    byte[] bytes = getIfPresent(entry, sourceIdOrNull).orElseThrow(() -> notFound(entry.snapshotId()));
    SnapshotIndex index = IndexCodec.decode(bytes, "index " + entry.key());
    if (!entry.snapshotId().equals(index.snapshotId())) {
      throw new IndexFormatException(
          "index " + entry.key() + " names snapshot " + index.snapshotId() + ": the store has been tampered with");
    }
    return index;
  }

  /**
   * Forgets a snapshot: from now on it does not exist. Its index moves to a tombstone (written before the index is
   * deleted, so there is never a moment when neither exists), which keeps the snapshot's blobs from garbage collection
   * for the grace period: a backup that started from this snapshot still reuses its blobs without uploading them.
   *
   * @return the tombstone's key
   */
  public String forget(String snapshotId) {
    return forget(find(snapshotId));
  }

  /** {@link #forget(String)} for an entry already found; only its key and snapshot id are used. */
  public String forget(Entry entry) {
    Metadata md = Metadata.of(null, entry.key());
    byte[] bytes = getIfPresent(entry, null).orElseThrow(() -> notFound(entry.snapshotId()));
    String tombstone = StoreLayout.tombstoneKeyOf(entry.key());
    // The tombstone's LastModified is the time of forgetting: the grace period runs from it.
    store.put(tombstone, bytes, bytes.length, Hashing.sha256(bytes), md.withSize(bytes.length));
    store.delete(entry.key(), md);
    LOG.info("forgot snapshot {}: its index is now the tombstone {}", entry.snapshotId(), tombstone);
    return tombstone;
  }

  private Optional<byte[]> getIfPresent(Entry entry, String sourceIdOrNull) {
    try {
      return Optional.of(store.get(entry.key(), Metadata.of(sourceIdOrNull, entry.key())));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private SnapshotNotFoundException notFound(String snapshotId) {
    return new SnapshotNotFoundException(
        "snapshot " + snapshotId + " does not exist in " + store.location() + " (see `strata snapshots`)");
  }
}
