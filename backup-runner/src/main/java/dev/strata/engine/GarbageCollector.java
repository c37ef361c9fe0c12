package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.index.IndexValidator;
import dev.strata.engine.pack.BlobCodec;
import dev.strata.engine.pack.BlobIndex;
import dev.strata.engine.pack.IdSet;
import dev.strata.engine.pack.IndexFile;
import dev.strata.engine.pack.IndexFiles;
import dev.strata.engine.pack.LongSet;
import dev.strata.engine.pack.PackEntry;
import dev.strata.engine.pack.PackFile;
import dev.strata.engine.pack.PackRange;
import dev.strata.engine.pack.PackUploads;
import dev.strata.engine.pack.PackWriter;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.ChunkedTreeSource;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeSource;
import dev.strata.engine.tree.ValidatingTreeSource;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * Deletes what no committed snapshot references, without locks (see docs/garbage-collection.md):
 * format-2 packs whose blobs are all unreferenced, and format-1 blob objects; packs whose
 * referenced blobs take less than a threshold of them are repacked (those blobs copied into new
 * packs, a bounded number of bytes per run). Only what is older than the grace period goes, and
 * nothing a running backup's pending object lists, so a pack a backup in flight has just written,
 * or has just found in the store and refreshed, stays. Snapshots committed while the store is
 * listed are caught by a second look at the indexes before anything is deleted, and every pack is
 * looked at once more right before its delete, so one a backup refreshed meanwhile stays too.
 *
 * <p>An index, young tombstone or pending object that cannot be read stops the collection before
 * anything is deleted: what it references is unknown, so nothing can be known to be garbage.
 */
public final class GarbageCollector {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  /**
   * A pack smaller than this part of the target size is repacked with others (each backup's last
   * pack is partial).
   */
  static final int SMALL_PACK_DIVISOR = 8;

  private final BlobStoreManager store;
  private final GcOptions options;

  public GarbageCollector(BlobStoreManager store, GcOptions options) {
    this.store = store;
    this.options = options;
  }

  public GcReport collect() {
    long start = System.nanoTime();
    Instant cutoff = options.clock().instant().minus(options.grace());
    Repository opened = Repository.open(store, options.key());
    // Headers read before the marking, by pack id (null: unreadable), not read again by the plan.
    Map<String, List<PackEntry>> headers = new HashMap<>();
    int indexedFromHeaders = 0;
    indexedInMemory.clear(); // a dry run's packs of an earlier collect() of this collector
    if (opened.config() != null) {
      indexedFromHeaders = indexUnlistedPacks(opened, cutoff, headers);
    }
    try (Workers workers = new Workers("strata-gc", options.parallelism())) {
      Marker marker = new Marker(opened, cutoff, workers);
      marker.pass();
      Pending pending = new Pending(opened, cutoff);
      pending.read();
      Map<String, ObjectInfo> packs = listPacks();
      Sweep sweep = listBlobs(marker.v1Live, cutoff);
      if (opened.config() == null) {
        // A first backup may have created the store (format 2) since: its config is written before
        // anything else.
        opened = Repository.open(store, options.key());
        marker.reopen(opened);
      }
      Repository repo = opened;
      // Snapshots committed (or forgotten) while the store was listed: their blobs may be among the
      // candidates.
      marker.pass();
      pending.read();
      sweep.candidates.removeIf(o -> marker.v1Live.contains(StoreLayout.blobIdOf(o.key())));
      sweep.young.removeIf(marker.v1Live::contains);

      // Every index file, those written since the collection began included (packs of backups that
      // committed meanwhile).
      BlobIndex index = repo.config() == null ? null : loadIndex(repo);
      Set<String> indexFiles = index == null ? Set.of() : index.files();
      PackPlan plan =
          index == null
              ? new PackPlan()
              : planPacks(repo, index, packs, marker, pending.packs, cutoff, headers);
      long repackedBytes = 0;
      List<String> newIndexFiles = new ArrayList<>();
      Set<String> repacked = new HashSet<>();
      if (!options.dryRun() && !plan.repack.isEmpty()) {
        RepackResult r = repack(repo, index, plan.repack, marker);
        repackedBytes = r.bytes;
        repacked.addAll(r.packs);
        newIndexFiles.addAll(r.indexFiles);
      } else if (options.dryRun()) {
        repacked.addAll(plan.repack);
        repackedBytes = plan.repackBytes;
      }
      if (!options.dryRun() && !plan.unindexedLive.isEmpty()) {
        newIndexFiles.add(
            IndexFiles.write(repo, plan.unindexedLive, options.clock().instant().toEpochMilli()));
      }
      Set<String> toDelete = new LinkedHashSet<>(plan.dead);
      toDelete.addAll(repacked);
      // Right before deleting: a backup that started meanwhile may list some of them as pending.
      if (!options.dryRun()) {
        pending.read();
        toDelete.removeAll(pending.packs);
      }
      AtomicLong deletedPacks = new AtomicLong();
      AtomicLong keptPacks = new AtomicLong(plan.keptYoung);
      AtomicLong freed = new AtomicLong();
      Set<String> gonePacks = ConcurrentHashMap.newKeySet();
      List<CompletableFuture<Void>> deletes = new ArrayList<>();
      for (String packId : toDelete) {
        ObjectInfo listed = packs.get(packId);
        deletes.add(
            workers.submit(
                () -> {
                  switch (delete(PackFile.key(packId), cutoff)) {
                    case DELETED -> {
                      deletedPacks.incrementAndGet();
                      freed.addAndGet(listed == null ? 0 : listed.size());
                      gonePacks.add(packId);
                    }
                    case REFRESHED -> keptPacks.incrementAndGet();
                    case GONE -> gonePacks.add(packId);
                  }
                  return null;
                }));
      }
      AtomicLong deleted = new AtomicLong();
      AtomicLong bytes = new AtomicLong();
      AtomicLong refreshed = new AtomicLong();
      for (ObjectInfo blob : sweep.candidates) {
        deletes.add(
            workers.submit(
                () -> {
                  switch (delete(blob.key(), cutoff)) {
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
      if (index != null
          && !options.dryRun()
          && (!gonePacks.isEmpty() || indexFiles.size() + newIndexFiles.size() > 1)) {
        Set<String> merge = new LinkedHashSet<>(indexFiles);
        merge.addAll(newIndexFiles);
        IndexFiles.merge(repo, merge, id -> !gonePacks.contains(id), System.currentTimeMillis());
      }
      long tombstonesDeleted = deleteAll(marker.expiredTombstones);
      long progressDeleted =
          deleteAll(staleProgress(cutoff))
              + deleteAll(pending.stale)
              + store.deleteAbandonedWrites(cutoff, options.dryRun());

      GcReport report =
          new GcReport(
              marker.snapshots.get(),
              marker.tombstoneKeys.size(),
              tombstonesDeleted,
              sweep.scanned + (index == null ? 0 : index.size()),
              marker.v1Live.size() + marker.referencedCount(),
              deleted.get() + plan.deadBlobs,
              bytes.get()
                  + (options.dryRun()
                      ? plan.deadBytes + plan.repackPackBytes - plan.repackBytes
                      : Math.max(0, freed.get() - repackedBytes)),
              sweep.young.size() + refreshed.get(),
              progressDeleted,
              options.dryRun(),
              (System.nanoTime() - start) / 1_000_000,
              packs.size(),
              options.dryRun() ? toDelete.size() : deletedPacks.get(),
              repacked.size(),
              repackedBytes,
              keptPacks.get(),
              indexedFromHeaders + plan.unindexedLive.size());
      LOG.info(
          "garbage collection of {}{}: {} snapshots and {} tombstones reference {} blobs; {} {} packs ({} repacked, {} bytes"
              + " copied) and {} format-1 blobs, {} tombstones and {} stale objects; freed {} bytes; kept {} young packs;"
              + " {} {} packs no index file listed; in {} ms",
          store.location(),
          options.dryRun() ? " (dry run)" : "",
          report.snapshots(),
          report.tombstones(),
          report.blobsReferenced(),
          options.dryRun() ? "would delete" : "deleted",
          report.packsDeleted(),
          report.packsRepacked(),
          report.bytesRepacked(),
          deleted.get(),
          report.tombstonesDeleted(),
          report.progressObjectsDeleted(),
          report.bytesDeleted(),
          report.packsKeptYoung(),
          options.dryRun() ? "would index" : "indexed",
          report.packsIndexed(),
          report.durationMs());
      return report;
    }
  }

  // ---- packs
  // ------------------------------------------------------------------------------------------------------

  private Map<String, ObjectInfo> listPacks() {
    Map<String, ObjectInfo> packs = new HashMap<>();
    store.list(
        StoreLayout.PACKS,
        o -> {
          String id = StoreLayout.packIdOf(o.key());
          if (id != null) {
            packs.put(id, o);
          }
        },
        Metadata.of(null, StoreLayout.PACKS));
    return packs;
  }

  /** What {@link #unindexedLive} returns for a pack whose header cannot be read. */
  private static final IndexFile.Pack UNREADABLE = new IndexFile.Pack("", 0, 0, new byte[0]);

  /**
   * A pack no index file lists, read from its own header: the pack as an index file would list it
   * when it holds a blob the marked snapshots or young tombstones reference and no indexed pack
   * holds (its index file was lost), null when it holds none (an orphan of a failed backup:
   * garbage), {@link #UNREADABLE} when its header cannot be read: it is kept, since what it holds
   * cannot be known.
   */
  private IndexFile.Pack unindexedLive(
      Repository repo,
      BlobIndex index,
      ObjectInfo pack,
      Marker marker,
      Map<String, List<PackEntry>> headers) {
    String id = StoreLayout.packIdOf(pack.key());
    String what = "pack " + id;
    List<PackEntry> entries = headers.containsKey(id) ? headers.get(id) : readHeader(repo, pack);
    if (entries == null) {
      LOG.warn(
          "{} is in no index file and its header cannot be read; kept: delete it by hand if"
              + " `strata verify --all` passes without it",
          what);
      return UNREADABLE;
    }
    // A live blob another pack holds too (a failed backup stored it, a later one again) keeps
    // nothing: only a blob no indexed pack holds makes this pack the one to read it from.
    long live =
        entries.stream()
            .filter(b -> marker.keeps(LongSet.prefix(b.id())) && !index.contains(b.id()))
            .count();
    if (live == 0) {
      return null;
    }
    LOG.warn(
        "{} is in no index file but holds {} blobs that snapshots reference (its index file was"
            + " lost): kept, and listed in a new index file",
        what,
        live);
    return IndexFile.Pack.of(
        StoreLayout.packIdOf(pack.key()), pack.lastModified().toEpochMilli(), entries);
  }

  /** A pack's entries, from its own header; null (logged) when the header cannot be read. */
  private static List<PackEntry> readHeader(Repository repo, ObjectInfo pack) {
    String packId = StoreLayout.packIdOf(pack.key());
    String what = "pack " + packId;
    try {
      long size = pack.size();
      if (size < PackFile.TRAILER) {
        throw new dev.strata.engine.format.SealException(what + " is shorter than a pack trailer");
      }
      Metadata md = Metadata.of(null, pack.key());
      byte[] trailer;
      try (var in =
          repo.store().openRange(pack.key(), size - PackFile.TRAILER, PackFile.TRAILER, md)) {
        trailer = in.readAllBytes();
      }
      int len = PackFile.headerLength(trailer, what);
      if (len > size - PackFile.TRAILER) {
        throw new dev.strata.engine.format.SealException(what + " is shorter than its header");
      }
      byte[] header;
      try (var in = repo.store().openRange(pack.key(), size - PackFile.TRAILER - len, len, md)) {
        header = in.readAllBytes();
      }
      return PackFile.readHeader(repo.sealer(), packId, header, what);
    } catch (dev.strata.engine.format.SealException | IOException e) {
      LOG.warn("the header of {} cannot be read: {}", what, e.getMessage());
      return null;
    }
  }

  /**
   * Packs a dry run would list in a new index file: added, in memory, to every index it loads (a
   * dry run writes nothing, and without them it could not read the trees they hold).
   */
  private final List<IndexFile.Pack> indexedInMemory = new ArrayList<>();

  /** The store's index, with the packs a dry run would have indexed. */
  private BlobIndex loadIndex(Repository repo) {
    BlobIndex index = BlobIndex.load(repo);
    for (IndexFile.Pack p : indexedInMemory) {
      index.addPack(p.packId(), p.createdAtMillis(), p.list());
    }
    return index;
  }

  /**
   * Lists in a new index file the packs older than the cutoff that no index file lists and that
   * hold a blob no indexed pack holds, read from their own headers: packs whose index file was lost
   * (their snapshots' trees cannot be read, nor marked, without it) and orphans of failed backups
   * (indexed, they are dead packs the plan deletes). Before the marking, so that it reads the trees
   * such packs hold. A dry run keeps that index file in memory. Returns how many packs it lists.
   */
  private int indexUnlistedPacks(
      Repository repo, Instant cutoff, Map<String, List<PackEntry>> headers) {
    Map<String, ObjectInfo> listed = listPacks();
    BlobIndex index = BlobIndex.load(repo);
    index.retainListed(listed);
    Set<String> indexed = new HashSet<>();
    for (int p = 0; p < index.packCount(); p++) {
      indexed.add(index.packIdOfNumber(p));
    }
    Pending pending = new Pending(repo, cutoff);
    pending.read();
    List<IndexFile.Pack> found = new ArrayList<>();
    for (ObjectInfo o : listed.values()) {
      String id = StoreLayout.packIdOf(o.key());
      if (indexed.contains(id)
          || !o.lastModified().isBefore(cutoff)
          || pending.packs.contains(id)) {
        continue;
      }
      List<PackEntry> entries = readHeader(repo, o);
      headers.put(id, entries);
      if (entries != null && entries.stream().anyMatch(b -> !index.contains(b.id()))) {
        found.add(IndexFile.Pack.of(id, o.lastModified().toEpochMilli(), entries));
      }
    }
    if (options.dryRun()) {
      indexedInMemory.addAll(found);
      if (!found.isEmpty()) {
        LOG.info(
            "{} packs no index file lists would be listed in a new index file, from their headers"
                + " (dry run: planned in memory)",
            found.size());
      }
    } else if (!found.isEmpty()) {
      String key = IndexFiles.write(repo, found, options.clock().instant().toEpochMilli());
      LOG.info(
          "{} packs no index file listed are listed in {}, from their headers", found.size(), key);
    }
    return found.size();
  }

  /** Which packs go whole, and which are repacked. */
  private static final class PackPlan {
    final List<String> dead = new ArrayList<>();
    final List<String> repack = new ArrayList<>();

    /** Packs no index file lists that hold live blobs: kept, and listed in a new index file. */
    final List<IndexFile.Pack> unindexedLive = new ArrayList<>();

    long repackBytes;

    /**
     * The size of the packs to repack (what deleting them frees, before the copies are written).
     */
    long repackPackBytes;

    long deadBlobs;
    long deadBytes;
    long keptYoung;
  }

  private PackPlan planPacks(
      Repository repo,
      BlobIndex index,
      Map<String, ObjectInfo> listed,
      Marker marker,
      Set<String> pendingPacks,
      Instant cutoff,
      Map<String, List<PackEntry>> headers) {
    int packSize = repo.packSize();
    index.retainListed(listed);
    int n = index.packCount();
    long[] liveBytes = new long[n];
    long[] allBytes = new long[n];
    long[] deadCount = new long[n];
    for (int e = 0; e < index.size(); e++) {
      int p = index.packNumber(e);
      if (index.packAbsent(p)) {
        continue;
      }
      allBytes[p] += index.storedLength(e);
      if (marker.keeps(index.idPrefix(e)) && index.isNewest(e)) {
        liveBytes[p] += index.storedLength(e);
      } else {
        deadCount[p]++;
      }
    }
    PackPlan plan = new PackPlan();
    List<Integer> sparse = new ArrayList<>();
    List<Integer> small = new ArrayList<>();
    Set<String> indexed = new HashSet<>();
    for (int p = 0; p < n; p++) {
      String id = index.packIdOfNumber(p);
      ObjectInfo o = listed.get(id);
      if (o == null) {
        continue;
      }
      indexed.add(id);
      boolean old = o.lastModified().isBefore(cutoff) && !pendingPacks.contains(id);
      if (liveBytes[p] == 0) {
        if (old) {
          plan.dead.add(id);
          plan.deadBlobs += deadCount[p];
          plan.deadBytes += o.size();
        } else {
          plan.keptYoung++;
        }
      } else if (allBytes[p] > 0 && liveBytes[p] < options.repackBelow() * allBytes[p]) {
        if (old) {
          sparse.add(p);
        } else {
          plan.keptYoung++;
        }
      } else if (old && o.size() < (long) packSize / SMALL_PACK_DIVISOR) {
        small.add(p);
      }
    }
    // Packs no index lists: orphans of failed backups, or a running backup's (young, or listed as
    // pending), or packs whose index file was lost: their headers say which.
    for (Map.Entry<String, ObjectInfo> e : listed.entrySet()) {
      if (!indexed.contains(e.getKey())) {
        if (e.getValue().lastModified().isBefore(cutoff) && !pendingPacks.contains(e.getKey())) {
          IndexFile.Pack live = unindexedLive(repo, index, e.getValue(), marker, headers);
          if (live == UNREADABLE) {
            plan.keptYoung++;
            continue;
          }
          if (live != null) {
            plan.unindexedLive.add(live);
            continue;
          }
          plan.dead.add(e.getKey());
          plan.deadBytes += e.getValue().size();
        } else {
          plan.keptYoung++;
        }
      }
    }
    // Sparsest first, then small packs (at least two, or repacking gains nothing), within the bound
    // on bytes copied.
    sparse.sort(
        (a, b) ->
            Double.compare(
                (double) liveBytes[a] / allBytes[a], (double) liveBytes[b] / allBytes[b]));
    if (small.size() < 2) {
      small.clear();
    }
    List<Integer> candidates = new ArrayList<>(sparse);
    candidates.addAll(small);
    for (int p : candidates) {
      if (plan.repackBytes + liveBytes[p] > options.maxRepackBytes()) {
        continue;
      }
      plan.repack.add(index.packIdOfNumber(p));
      plan.repackBytes += liveBytes[p];
      plan.repackPackBytes += listed.get(index.packIdOfNumber(p)).size();
      plan.deadBlobs += deadCount[p];
    }
    return plan;
  }

  private record RepackResult(long bytes, List<String> packs, List<String> indexFiles) {}

  /**
   * Copies the referenced blobs of {@code packIds} into new packs (their stored bytes as they are,
   * checked first: a blob sealed for its id stays valid wherever it is), writes an index file for
   * the new packs, and returns the packs whose blobs are all copied (those with a damaged
   * referenced blob stay). The old packs are deleted by the caller.
   */
  private RepackResult repack(
      Repository repo, BlobIndex index, List<String> packIds, Marker marker) {
    Map<String, Integer> numbers = new HashMap<>();
    for (int p = 0; p < index.packCount(); p++) {
      numbers.put(index.packIdOfNumber(p), p);
    }
    Set<Integer> wanted = new HashSet<>();
    for (String id : packIds) {
      wanted.add(numbers.get(id));
    }
    Map<Integer, List<Integer>> liveEntries = new HashMap<>();
    for (int e = 0; e < index.size(); e++) {
      int p = index.packNumber(e);
      if (wanted.contains(p) && marker.keeps(index.idPrefix(e)) && index.isNewest(e)) {
        liveEntries.computeIfAbsent(p, k -> new ArrayList<>()).add(e);
      }
    }
    List<IndexFile.Pack> written = Collections.synchronizedList(new ArrayList<>());
    AtomicLong bytes = new AtomicLong();
    List<String> done = new ArrayList<>();
    BlobCodec codec = new BlobCodec(repo.sealer());
    try (PackUploads uploads =
        new PackUploads(
            repo, 2, repo.sealer().sealedLength(repo.chunker().maxSize()), written::add)) {
      // Blobs only young tombstones keep go into packs of their own: garbage once the tombstones
      // expire, among live blobs they would stay in a pack that may never again fall below the
      // threshold.
      Writers live =
          new Writers(
              new PackWriter(uploads, PackEntry.DATA), new PackWriter(uploads, PackEntry.TREE));
      Writers held =
          new Writers(
              new PackWriter(uploads, PackEntry.DATA), new PackWriter(uploads, PackEntry.TREE));
      for (String id : packIds) {
        int p = numbers.get(id);
        List<Integer> es = liveEntries.getOrDefault(p, List.of());
        es.sort((a, b) -> Integer.compare(index.offset(a), index.offset(b)));
        if (!copyPack(repo, index, id, es, codec, marker, live, held, bytes)) {
          continue;
        }
        done.add(id);
      }
      live.flush();
      held.flush();
      uploads.awaitAll();
    }
    List<String> files = new ArrayList<>();
    if (!written.isEmpty()) {
      files.add(IndexFiles.write(repo, new ArrayList<>(written), System.currentTimeMillis()));
    }
    LOG.info(
        "repacked {} packs of {}: {} bytes of referenced blobs copied into {} new packs",
        done.size(),
        store.location(),
        bytes.get(),
        written.size());
    return new RepackResult(bytes.get(), done, files);
  }

  /** Where repacked blobs go: data and tree blobs in packs of their own kind. */
  private record Writers(PackWriter data, PackWriter trees) {
    void flush() {
      data.flush();
      trees.flush();
    }
  }

  private boolean copyPack(
      Repository repo,
      BlobIndex index,
      String packId,
      List<Integer> entries,
      BlobCodec codec,
      Marker marker,
      Writers live,
      Writers held,
      AtomicLong bytes) {
    if (entries.isEmpty()) {
      return true;
    }
    String key = PackFile.key(packId);
    boolean[] damaged = {false};
    try {
      PackRange.read(
          store,
          index,
          key,
          entries,
          Metadata.of(null, key),
          (e, buf, stored) -> {
            byte[] id = index.id(e);
            try {
              codec.decode(index, e, buf, stored);
            } catch (dev.strata.engine.format.SealException bad) {
              LOG.warn(
                  "pack {} holds a damaged copy of blob {} that a snapshot references; the pack is not repacked (`strata verify"
                      + " --read-data --repair` marks it, and a backup stores it again)",
                  packId,
                  Hashing.hex(id));
              damaged[0] = true;
              return false;
            }
            Writers to = marker.live.contains(index.idPrefix(e)) ? live : held;
            (index.type(e) == PackEntry.TREE ? to.trees() : to.data())
                .add(id, buf, 0, stored, index.flags(e), index.rawLength(e));
            bytes.addAndGet(stored);
            return true;
          });
      return !damaged[0];
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return false;
      }
      throw e;
    } catch (IOException e) {
      throw new StoreException(
          StoreException.Kind.TRANSIENT,
          "reading " + key + " to repack it failed: " + e.getMessage(),
          e);
    }
  }

  // ---- format-1 blobs
  // ---------------------------------------------------------------------------------------------

  /**
   * The format-1 blobs that were unreferenced when listed: old ones are candidates for deletion,
   * young ones are kept.
   */
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

  private enum Outcome {
    DELETED,
    REFRESHED,
    GONE
  }

  /**
   * Deletes an object after one more look at it (a HEAD): one that is gone is skipped, and one
   * whose LastModified is no longer before the cutoff is kept, because a backup restarted its age
   * meanwhile and will reference it. S3 has no conditional delete, so this narrows that race to one
   * round trip; the backup closes the rest by looking again at what it refreshed, before and after
   * it commits.
   */
  private Outcome delete(String key, Instant cutoff) {
    if (options.dryRun()) {
      return Outcome.DELETED;
    }
    Metadata md = Metadata.of(null, key);
    Optional<ObjectInfo> now = store.stat(key, md);
    if (now.isEmpty()) {
      return Outcome.GONE;
    }
    if (!now.get().lastModified().isBefore(cutoff)) {
      return Outcome.REFRESHED;
    }
    store.delete(key, md);
    return Outcome.DELETED;
  }

  private List<ObjectInfo> staleProgress(Instant cutoff) {
    List<ObjectInfo> stale = new ArrayList<>();
    store.list(
        StoreLayout.PROGRESS,
        o -> {
          // A live run rewrites its progress every few seconds; one older than the grace period
          // belongs to a dead run.
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

  // ---- pending objects of running backups
  // ------------------------------------------------------------------------

  /**
   * The packs running backups rely on, from their pending objects younger than the grace period.
   */
  private final class Pending {
    final Repository repo;
    final Instant cutoff;
    final Set<String> packs = ConcurrentHashMap.newKeySet();
    final List<ObjectInfo> stale = new ArrayList<>();
    final Set<String> seen = new HashSet<>();

    Pending(Repository repo, Instant cutoff) {
      this.repo = repo;
      this.cutoff = cutoff;
    }

    void read() {
      List<ObjectInfo> objects = new ArrayList<>();
      store.list(StoreLayout.PENDING, objects::add, Metadata.of(null, StoreLayout.PENDING));
      for (ObjectInfo o : objects) {
        if (StoreLayout.pendingIdOf(o.key()) == null) {
          continue;
        }
        if (o.lastModified().isBefore(cutoff)) {
          if (seen.add(o.key())) {
            stale.add(o); // its backup died (or stalled longer than the grace period)
          }
          continue;
        }
        byte[] plain;
        try {
          plain = repo.getObject(o.key(), Metadata.of(null, o.key()));
        } catch (StoreException e) {
          if (e.kind() == StoreException.Kind.NOT_FOUND) {
            continue; // its backup committed meanwhile
          }
          throw e;
        } catch (RuntimeException e) {
          throw stop("pending object " + o.key() + " cannot be read: " + e.getMessage(), e);
        }
        try {
          var doc = IndexCodec.mapper().readTree(plain);
          for (var p : doc.path("packs")) {
            packs.add(p.asText());
          }
        } catch (IOException e) {
          throw stop("pending object " + o.key() + " is not readable: " + e.getMessage(), e);
        }
      }
    }
  }

  private static IllegalStateException stop(String why, Throwable cause) {
    return new IllegalStateException(
        "garbage collection stopped before deleting anything: "
            + why
            + ". A collector cannot tell what an unreadable object"
            + " protects; use a Strata release that reads it (or the store's key), or delete the object from the store by"
            + " hand if it is garbage",
        cause);
  }

  // ---- marking
  // ----------------------------------------------------------------------------------------------------

  /**
   * Marks the blobs of every index, and of every tombstone younger than the grace period, as live:
   * format-1 blob ids exactly, format-2 ones by their first eight bytes (a false match keeps a blob
   * that could go). Format-2 blobs of indexes and of tombstones are marked apart, so that a repack
   * can keep what only tombstones hold out of packs of live blobs. Each distinct tree blob of
   * format 2 is read once for indexes and once for tombstones, however many snapshots share it.
   * Each pass lists {@code snapshots/} and reads only what earlier passes have not read.
   */
  private final class Marker {
    volatile Repository repo;
    volatile BlobSource blobs;
    final Instant cutoff;
    final Workers workers;
    final Set<String> v1Live = ConcurrentHashMap.newKeySet();

    /** Format-2 blobs an index references. */
    final LongSet live = new LongSet();

    /**
     * Format-2 blobs young tombstones reference (some also in {@link #live}): kept, and repacked
     * apart from live ones.
     */
    final LongSet held = new LongSet();

    final IdSet treesRead = new IdSet();
    final IdSet treesHeld = new IdSet();

    /** Index keys whose blobs are marked, from the index itself or from its tombstone. */
    final Set<String> marked = new HashSet<>();

    final Set<String> tombstoneKeys = new HashSet<>();
    final List<ObjectInfo> expiredTombstones = new ArrayList<>();
    final AtomicLong snapshots = new AtomicLong();
    volatile SnapshotCatalog catalog;

    Marker(Repository repo, Instant cutoff, Workers workers) {
      this.cutoff = cutoff;
      this.workers = workers;
      reopen(repo);
    }

    void reopen(Repository r) {
      this.repo = r;
      this.catalog = new SnapshotCatalog(r);
      // Its index is loaded when a first tree is read.
      this.blobs = new BlobSource(r, null, () -> loadIndex(r));
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
          expiredTombstones.add(
              o); // forgotten longer ago than the grace period: its blobs are not kept
        } else if (marked.add(indexKey)) {
          reads.add(workers.submit(() -> markTombstone(key)));
        }
      }
      joinAll(reads, workers);
    }

    /**
     * Whether the blob with that id prefix must stay: an index or a young tombstone has it. Called
     * once marking has ended (its tasks joined), so the sets are read without their locks.
     */
    boolean keeps(long prefix) {
      return live.contains(prefix) || held.contains(prefix);
    }

    /** Blobs referenced, each counted once whether an index, a tombstone or both reference it. */
    long referencedCount() {
      long[] heldOnly = {0};
      held.forEach(
          v -> {
            if (!live.contains(v)) {
              heldOnly[0]++;
            }
          });
      return live.size() + heldOnly[0];
    }

    private Void markIndex(String key) {
      Optional<byte[]> bytes = get(key);
      if (bytes.isPresent()) {
        mark(key, bytes.get(), "index " + key, false);
        snapshots.incrementAndGet();
        return null;
      }
      // Forgotten since it was listed: the tombstone was written before the index was deleted.
      String tombstone = StoreLayout.tombstoneKeyOf(key);
      get(tombstone)
          .ifPresentOrElse(
              b -> mark(tombstone, b, "tombstone " + tombstone, true),
              () ->
                  LOG.warn(
                      "index {} vanished without a tombstone while garbage collection ran; its blobs are not kept",
                      key));
      return null;
    }

    private Void markTombstone(String key) {
      // Absent: another collector deleted it as expired, by its own clock.
      get(key).ifPresent(b -> mark(key, b, "tombstone " + key, true));
      return null;
    }

    private void mark(String key, byte[] bytes, String what, boolean tombstone) {
      LongSet into = tombstone ? held : live;
      IdSet read = tombstone ? treesHeld : treesRead;
      Snapshot s;
      try {
        s = catalog.decode(key, bytes);
      } catch (IndexFormatException e) {
        throw stop(what + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw stop(what + " cannot be read: " + e.getMessage(), e);
      }
      if (s.formatVersion() == 1) {
        collect(s.v1Index().root());
        return;
      }
      for (String t : s.treeChunks()) {
        byte[] id = Hashing.unhex(t);
        synchronized (into) {
          into.add(LongSet.prefix(id));
        }
        if (!read.add(id)) {
          continue; // an unchanged piece of tree another snapshot shares: its blobs are marked
          // already
        }
        byte[] chunk;
        try {
          chunk = readTree(id, s);
        } catch (RuntimeException e) {
          throw stop(what + ": its tree blob " + t + " cannot be read (" + e.getMessage() + ")", e);
        }
        try (TreeSource src = new ChunkedTreeSource(List.of(chunk).iterator())) {
          for (TreeEntry e = src.next(); e != null; e = src.next()) {
            // The same checks a restore makes of each record (names, numbers, blob ids and sizes);
            // the order of records
            // across pieces is the restore's to check, the collector only needs to know which blobs
            // are referenced.
            if (e instanceof TreeEntry.Dir d) {
              IndexValidator.checkName(s.snapshotId(), d.name().isEmpty() ? "x" : d.name(), "");
              ValidatingTreeSource.checkDir(s.snapshotId(), d.name(), d);
            } else if (e instanceof TreeEntry.File f) {
              IndexValidator.checkName(s.snapshotId(), f.file().name(), "");
              ValidatingTreeSource.checkFile(s.snapshotId(), f.file().name(), f);
              for (FileBlob b : f.file().blobs()) {
                long prefix = LongSet.prefix(Hashing.unhex(b.id()));
                synchronized (into) {
                  into.add(prefix);
                }
              }
            }
          }
        } catch (IndexFormatException e) {
          throw stop(e.getMessage(), e);
        } catch (RuntimeException e) {
          throw stop(
              what + ": its tree blob " + t + " is not readable (" + e.getMessage() + ")", e);
        }
      }
    }

    /**
     * A tree blob; when the index loaded at the start lacks it (a snapshot committed since), with
     * the index read again.
     */
    private byte[] readTree(byte[] id, Snapshot s) {
      Metadata md = Metadata.of(s.metadata().sourceId(), "tree of " + s.snapshotId());
      BlobSource current = blobs;
      try {
        return current.read(id, md);
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
      }
      synchronized (this) {
        if (blobs == current) {
          Repository r = repo;
          blobs = new BlobSource(r, loadIndex(r), () -> loadIndex(r));
        }
      }
      return blobs.read(id, md);
    }

    private void collect(DirIndex dir) {
      for (FileIndex f : dir.filesPresent()) {
        for (FileBlob b : f.blobs()) {
          if (b.id() != null) {
            v1Live.add(b.id());
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

  /**
   * Waits for all; the first task failure is rethrown as it was thrown (tasks queued after it are
   * cancelled).
   */
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
