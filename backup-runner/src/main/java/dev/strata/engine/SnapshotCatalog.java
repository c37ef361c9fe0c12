package dev.strata.engine;

import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The committed snapshots of a store, found from their index objects: an index exists if and only if its snapshot is
 * committed. "Latest" is per source identity and only ever a snapshot whose index names that same source.
 */
public final class SnapshotCatalog {

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
      SnapshotSummary s = IndexCodec.decodeSummary(store.get(e.key(), Metadata.of(sourceIdOrNull, e.key())), e.key());
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
      SnapshotIndex index = read(entries.get(i), sourceId);
      // The folder is keyed by a hash prefix; the index itself says whose it is.
      if (sourceId.equals(index.metadata().sourceId())) {
        return Optional.of(index);
      }
    }
    return Optional.empty();
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
    throw new SnapshotNotFoundException(
        "snapshot " + snapshotId + " does not exist in " + store.location() + " (see `strata snapshots`)");
  }

  public SnapshotIndex read(Entry entry, String sourceIdOrNull) {
    byte[] bytes = store.get(entry.key(), Metadata.of(sourceIdOrNull, entry.key()));
    SnapshotIndex index = IndexCodec.decode(bytes, "index " + entry.key());
    if (!entry.snapshotId().equals(index.snapshotId())) {
      throw new dev.strata.engine.index.IndexFormatException(
          "index " + entry.key() + " names snapshot " + index.snapshotId() + ": the store has been tampered with");
    }
    return index;
  }
}
