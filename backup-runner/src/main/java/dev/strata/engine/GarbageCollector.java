package dev.strata.engine;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blobs that no committed snapshot references, without locks (see docs/garbage-collection.md). A blob goes only
 * when no live index and no young tombstone references it AND it is older than the grace period, so a blob an in-flight
 * backup has just written, or has just found in the store and refreshed with removeTTL, stays. Snapshots committed while
 * the blobs are listed are caught by a second look at the indexes before anything is deleted, and every blob is looked at
 * once more right before its delete, so one a backup refreshed meanwhile stays too.
 *
 * <p>An index or young tombstone that cannot be read stops the collection before anything is deleted: what it references
 * is unknown, so nothing can be known to be garbage.
 */
public final class GarbageCollector {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final BlobStoreManager store;
  private final GcOptions options;

  public GarbageCollector(BlobStoreManager store, GcOptions options) {
    this.store = store;
    this.options = options;
  }

  public GcReport collect() {
    long start = System.nanoTime();
    Instant cutoff = options.clock().instant().minus(options.grace());
    try (Workers workers = new Workers("strata-gc", options.parallelism())) {
      Marker marker = new Marker(cutoff, workers);
      marker.pass();
      Sweep sweep = listBlobs(marker.live, cutoff);
      // Snapshots committed (or forgotten) while the blobs were listed: their blobs may be among the candidates.
      marker.pass();
      sweep.candidates.removeIf(o -> marker.live.contains(StoreLayout.blobIdOf(o.key())));
      sweep.young.removeIf(marker.live::contains);

      AtomicLong deleted = new AtomicLong();
      AtomicLong bytes = new AtomicLong();
      AtomicLong refreshed = new AtomicLong();
      List<CompletableFuture<Void>> deletes = new ArrayList<>();
      for (ObjectInfo blob : sweep.candidates) {
        deletes.add(workers.submit(() -> {
          switch (deleteBlob(blob, cutoff)) {
            case DELETED -> {
              deleted.incrementAndGet();
              bytes.addAndGet(blob.size());
            }
            case REFRESHED -> refreshed.incrementAndGet();
            case GONE -> {}
          }
          return null;
        }));
      }
      joinAll(deletes, workers);
      long tombstonesDeleted = deleteAll(marker.expiredTombstones);
      long progressDeleted = deleteAll(staleProgress(cutoff));

      GcReport report = new GcReport(
          marker.snapshots.get(),
          marker.tombstoneKeys.size(),
          tombstonesDeleted,
          sweep.scanned,
          marker.live.size(),
          deleted.get(),
          bytes.get(),
          sweep.young.size() + refreshed.get(),
          progressDeleted,
          options.dryRun(),
          (System.nanoTime() - start) / 1_000_000);
      LOG.info(
          "garbage collection of {}{}: {} snapshots and {} tombstones reference {} of {} blobs; {} {} blobs ({} bytes), "
              + "{} tombstones and {} progress objects; kept {} young unreferenced blobs; in {} ms",
          store.location(), options.dryRun() ? " (dry run)" : "", report.snapshots(), report.tombstones(),
          report.blobsReferenced(), report.blobsScanned(), options.dryRun() ? "would delete" : "deleted",
          report.blobsDeleted(), report.bytesDeleted(), report.tombstonesDeleted(), report.progressObjectsDeleted(),
          report.blobsKeptYoung(), report.durationMs());
      return report;
    }
  }

  /** The blobs that were unreferenced when listed: old ones are candidates for deletion, young ones are kept. */
  private static final class Sweep {
    final List<ObjectInfo> candidates = new ArrayList<>();
    final List<String> young = new ArrayList<>();
    long scanned;
  }

  private Sweep listBlobs(Set<String> live, Instant cutoff) {
    Sweep sweep = new Sweep();
    store.list(
        StoreLayout.BLOBS,
        o -> {
          String id = StoreLayout.blobIdOf(o.key());
          if (id == null) {
            return; // not a blob: never ours to delete
          }
          sweep.scanned++;
          if (live.contains(id)) {
            return;
          }
          if (o.lastModified().isBefore(cutoff)) {
            sweep.candidates.add(o);
          } else {
            sweep.young.add(id);
          }
        },
        Metadata.of(null, StoreLayout.BLOBS));
    return sweep;
  }

  private enum Outcome { DELETED, REFRESHED, GONE }

  private Outcome deleteBlob(ObjectInfo blob, Instant cutoff) {
    if (options.dryRun()) {
      return Outcome.DELETED;
    }
    Metadata md = new Metadata(null, blob.key(), blob.size());
    // Look again right before deleting: a backup that found this blob since it was listed restarted its age (removeTTL)
    // and will reference it. S3 has no conditional delete, so this narrows that race to one round trip; the backup
    // closes the rest by checking the blobs it refreshed before it commits.
    Optional<ObjectInfo> now = store.stat(blob.key(), md);
    if (now.isEmpty()) {
      return Outcome.GONE;
    }
    if (!now.get().lastModified().isBefore(cutoff)) {
      return Outcome.REFRESHED;
    }
    store.delete(blob.key(), md);
    return Outcome.DELETED;
  }

  private List<ObjectInfo> staleProgress(Instant cutoff) {
    List<ObjectInfo> stale = new ArrayList<>();
    store.list(
        StoreLayout.PROGRESS,
        o -> {
          // A live run rewrites its progress every few seconds; one older than the grace period belongs to a dead run.
          if (o.key().endsWith(StoreLayout.PROGRESS_SUFFIX) && o.lastModified().isBefore(cutoff)) {
            stale.add(o);
          }
        },
        Metadata.of(null, StoreLayout.PROGRESS));
    return stale;
  }

  private long deleteAll(List<ObjectInfo> objects) {
    if (!options.dryRun()) {
      for (ObjectInfo o : objects) {
        store.delete(o.key(), Metadata.of(null, o.key()));
      }
    }
    return objects.size();
  }

  /**
   * Marks the blobs of every index, and of every tombstone younger than the grace period, as live. Each pass lists
   * {@code snapshots/} and reads only what earlier passes have not read.
   */
  private final class Marker {
    final Instant cutoff;
    final Workers workers;
    final Set<String> live = ConcurrentHashMap.newKeySet();
    /** Index keys whose blobs are marked, from the index itself or from its tombstone. */
    final Set<String> marked = new HashSet<>();
    final Set<String> tombstoneKeys = new HashSet<>();
    final List<ObjectInfo> expiredTombstones = new ArrayList<>();
    final AtomicLong snapshots = new AtomicLong();

    Marker(Instant cutoff, Workers workers) {
      this.cutoff = cutoff;
      this.workers = workers;
    }

    void pass() {
      List<ObjectInfo> objects = new ArrayList<>();
      store.list(StoreLayout.SNAPSHOTS, objects::add, Metadata.of(null, StoreLayout.SNAPSHOTS));
      List<CompletableFuture<Void>> reads = new ArrayList<>();
      for (ObjectInfo o : objects) {
        String key = o.key();
        if (isSnapshotKey(key)) {
          if (marked.add(key)) {
            reads.add(workers.submit(() -> markIndex(key)));
          }
          continue;
        }
        String indexKey = StoreLayout.indexKeyOfTombstone(key);
        if (indexKey == null || !isSnapshotKey(indexKey) || !tombstoneKeys.add(key)) {
          continue;
        }
        if (o.lastModified().isBefore(cutoff)) {
          expiredTombstones.add(o); // forgotten longer ago than the grace period: its blobs are not kept
        } else if (marked.add(indexKey)) {
          reads.add(workers.submit(() -> markTombstone(key)));
        }
      }
      joinAll(reads, workers);
    }

    private Void markIndex(String key) {
      Optional<byte[]> bytes = get(key);
      if (bytes.isPresent()) {
        mark(bytes.get(), "index " + key);
        snapshots.incrementAndGet();
        return null;
      }
      // Forgotten since it was listed: the tombstone was written before the index was deleted.
      String tombstone = StoreLayout.tombstoneKeyOf(key);
      get(tombstone).ifPresentOrElse(
          b -> mark(b, "tombstone " + tombstone),
          () -> LOG.warn("index {} vanished without a tombstone while garbage collection ran; its blobs are not kept", key));
      return null;
    }

    private Void markTombstone(String key) {
      // Absent: another collector deleted it as expired, by its own clock.
      get(key).ifPresent(b -> mark(b, "tombstone " + key));
      return null;
    }

    private void mark(byte[] bytes, String what) {
      try {
        collect(IndexCodec.decode(bytes, what).root());
      } catch (IndexFormatException e) {
        throw new IllegalStateException(
            "garbage collection stopped before deleting anything: "
                + e.getMessage()
                + ". A collector cannot tell which blobs an unreadable index references; use a Strata release that"
                + " reads it, or delete the object from the store by hand if it is garbage",
            e);
      }
    }

    private void collect(DirIndex dir) {
      for (FileIndex f : dir.filesPresent()) {
        for (FileBlob b : f.blobs()) {
          if (b.id() != null) {
            live.add(b.id());
          }
        }
      }
      dir.subDirsPresent().forEach(this::collect);
    }
  }

  private static boolean isSnapshotKey(String key) {
    String id = StoreLayout.snapshotIdOf(key);
    return id != null && SnapshotIds.isValid(id);
  }

  private Optional<byte[]> get(String key) {
    try {
      return Optional.of(store.get(key, Metadata.of(null, key)));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Waits for all; the first task failure is rethrown as it was thrown (tasks queued after it are cancelled). */
  private static void joinAll(List<? extends CompletableFuture<?>> futures, Workers workers) {
    for (CompletableFuture<?> f : futures) {
      try {
        f.join();
      } catch (CompletionException | CancellationException e) {
        workers.failIfFailed();
        throw e;
      }
    }
  }
}
