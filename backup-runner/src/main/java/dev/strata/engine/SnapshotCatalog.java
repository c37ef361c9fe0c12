package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SealException;
import dev.strata.engine.format.SnapshotCodec;
import dev.strata.engine.format.StoreConfig;
import dev.strata.engine.format.UnsupportedFormatException;
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
 * The committed snapshots of a store, found from their index objects: an index exists if and only
 * if its snapshot is committed. "Latest" is per source identity and only ever a snapshot whose
 * index names that same source. Tombstones of forgotten snapshots are not snapshots: listings,
 * {@link #latest} and {@link #load} never see them. Snapshots of format 1 and 2 are read alike; one
 * of a format this Strata does not know is refused, naming its version.
 */
public final class SnapshotCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCatalog.class);

  /** Where a committed snapshot's index is. */
  public record Entry(String snapshotId, String key, ObjectInfo object) {}

  private final BlobStoreManager store;
  private Repository repo;

  /**
   * A catalog of a store opened with its key (needed to read the snapshots of an encrypted store).
   */
  public SnapshotCatalog(Repository repo) {
    this.store = repo.store();
    this.repo = repo;
  }

  /**
   * A catalog of a store opened without a key: it lists and forgets snapshots of any store, and
   * reads those of stores without encryption.
   */
  public SnapshotCatalog(BlobStoreManager store) {
    this.store = store;
  }

  private synchronized Repository repo() {
    if (repo == null) {
      repo = Repository.open(store, null);
    }
    return repo;
  }

  /** All index objects, oldest first within each source folder. */
  public List<Entry> entries(String sourceIdOrNull) {
    String prefix =
        sourceIdOrNull == null ? StoreLayout.SNAPSHOTS : StoreLayout.sourceFolder(sourceIdOrNull);
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
    return summaries(
        sourceIdOrNull,
        (id, e) -> {
          throw e;
        });
  }

  /**
   * The summaries of the snapshots that can be read; each snapshot object that cannot (damaged, or
   * of a format this release does not know) goes to {@code unreadable} with why, instead of failing
   * the whole listing. A store that cannot be listed or read still fails it.
   */
  public List<SnapshotSummary> summaries(
      String sourceIdOrNull, java.util.function.BiConsumer<String, RuntimeException> unreadable) {
    List<SnapshotSummary> out = new ArrayList<>();
    for (Entry e : entries(sourceIdOrNull)) {
      Optional<byte[]> bytes = getIfPresent(e, sourceIdOrNull);
      if (bytes.isEmpty()) {
        continue; // forgotten since it was listed
      }
      SnapshotSummary s;
      try {
        s = summary(e.key(), bytes.get());
      } catch (IndexFormatException | SealException | IntegrityException x) {
        unreadable.accept(e.snapshotId(), x);
        continue;
      }
      if (sourceIdOrNull == null || sourceIdOrNull.equals(s.metadata().sourceId())) {
        out.add(s);
      }
    }
    out.sort((a, b) -> a.snapshotId().compareTo(b.snapshotId()));
    return out;
  }

  private SnapshotSummary summary(String key, byte[] bytes) {
    int version = SnapshotCodec.version(bytes, "index " + key);
    if (version == 1) {
      return IndexCodec.decodeSummary(bytes, "index " + key);
    }
    return decode(key, bytes).summary();
  }

  /** The newest committed snapshot of exactly this source, if any. */
  public Optional<Snapshot> latest(String sourceId) {
    List<Entry> entries = entries(sourceId);
    for (int i = entries.size() - 1; i >= 0; i--) {
      Snapshot s;
      try {
        s = read(entries.get(i), sourceId);
      } catch (SnapshotNotFoundException e) {
        continue; // forgotten since it was listed: the one before it is the latest now
      }
      // The folder is keyed by a hash prefix; the index itself says whose it is.
      if (sourceId.equals(s.metadata().sourceId())) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * The newest committed snapshot of a source, or, while it has none under its identity, the newest
   * under the first of its former identities that has one (an identity it had before, e.g. {@code
   * namespace/pvc/path} from before cluster identities were part of Kubernetes source ids). A
   * source that has a snapshot of its own never falls back.
   */
  public Optional<Snapshot> latest(String sourceId, List<String> formerSourceIds) {
    Optional<Snapshot> own = latest(sourceId);
    for (int i = 0; own.isEmpty() && i < formerSourceIds.size(); i++) {
      own = latest(formerSourceIds.get(i));
    }
    return own;
  }

  /**
   * The summary of one listed snapshot, read from its object without its tree, of either format;
   * empty when it was forgotten since it was listed. Indexes never change once written, so a caller
   * that keeps summaries by key reads each one once.
   */
  public Optional<SnapshotSummary> summary(Entry entry) {
    return getIfPresent(entry, null).map(bytes -> summary(entry.key(), bytes));
  }

  public Snapshot load(String snapshotId) {
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

  public Snapshot read(Entry entry, String sourceIdOrNull) {
    byte[] bytes =
        getIfPresent(entry, sourceIdOrNull).orElseThrow(() -> notFound(entry.snapshotId()));
    Snapshot s = decode(entry.key(), bytes);
    if (!entry.snapshotId().equals(s.snapshotId())) {
      throw new IndexFormatException(
          "index "
              + entry.key()
              + " names snapshot "
              + s.snapshotId()
              + ": the store has been tampered with");
    }
    return s;
  }

  /**
   * Reads an index or tombstone object of either format ({@code key} is the object it came from).
   */
  public Snapshot decode(String key, byte[] bytes) {
    int version = SnapshotCodec.version(bytes, "index " + key);
    if (version == 1) {
      SnapshotIndex index = IndexCodec.decode(bytes, "index " + key);
      return Snapshot.of(key, index);
    }
    if (version == StoreConfig.FORMAT_VERSION) {
      Repository r = repo();
      if (r.config() == null) {
        throw new UnsupportedFormatException(
            "index "
                + key
                + " is of format 2, but the store "
                + store.location()
                + " has no config object: the store has been tampered with");
      }
      // A tombstone is the index's bytes moved: it is sealed under the index's own key.
      String sealedAs =
          key.endsWith(StoreLayout.TOMBSTONE_SUFFIX) ? StoreLayout.indexKeyOfTombstone(key) : key;
      return Snapshot.of(key, SnapshotCodec.decode(r, sealedAs, bytes));
    }
    throw new UnsupportedFormatException(
        "index "
            + key
            + " has format version "
            + version
            + ", but this Strata reads versions 1 and 2 only: use a Strata release that supports it");
  }

  /**
   * Forgets a snapshot: from now on it does not exist. Its index moves to a tombstone (written
   * before the index is deleted, so there is never a moment when neither exists), which keeps the
   * snapshot's blobs from garbage collection for the grace period: a backup that started from this
   * snapshot still reuses its blobs without uploading them.
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
    LOG.info(
        "forgot snapshot {}: its index is now the tombstone {}", entry.snapshotId(), tombstone);
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
        "snapshot "
            + snapshotId
            + " does not exist in "
            + store.location()
            + " (see `strata snapshots`)");
  }
}
