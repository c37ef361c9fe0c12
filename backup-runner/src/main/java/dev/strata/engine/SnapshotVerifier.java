package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SealException;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.pack.BlobCodec;
import dev.strata.engine.pack.BlobIndex;
import dev.strata.engine.pack.IdSet;
import dev.strata.engine.pack.IdTable;
import dev.strata.engine.pack.PackFile;
import dev.strata.engine.pack.PackRange;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks that a snapshot can be restored: its tree passes the validator a restore runs, and every
 * blob it references (tree blobs included) is in the store with the right size, and with {@code
 * readData} also that its bytes open and hash to its id. Each blob is checked once however many
 * files share it, and once per verifier across snapshots. In format 2 a blob is checked in the
 * newest pack that holds it, then in older copies when that one fails; packs are read with ranged
 * requests, near blobs together.
 */
public final class SnapshotVerifier {

  /** One blob that failed, and the first file that needs it. */
  public record Problem(String snapshotId, String path, String blobId, String what) {}

  public record Report(
      String snapshotId, long blobsChecked, long bytesChecked, List<Problem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private final BlobStoreManager store;
  private final int parallelism;
  private Repository repo;
  private BlobSource blobs;
  private Map<String, ObjectInfo> packs;

  /** Blobs found intact by this verifier, so a blob many snapshots share is read once. */
  private final IdSet good = new IdSet();

  public SnapshotVerifier(BlobStoreManager store, int parallelism) {
    this.store = store;
    this.parallelism = parallelism;
  }

  public SnapshotVerifier(Repository repo, int parallelism) {
    this(repo.store(), parallelism);
    this.repo = repo;
  }

  private synchronized BlobSource blobs() {
    if (repo == null) {
      repo = Repository.open(store, null);
    }
    if (blobs == null) {
      blobs = new BlobSource(repo, repo.config() == null ? null : BlobIndex.load(repo));
    }
    return blobs;
  }

  /** Every pack with its size, listed once per verifier. */
  private synchronized Map<String, ObjectInfo> packs() {
    if (packs == null) {
      packs = new HashMap<>();
      store.list(
          StoreLayout.PACKS,
          o -> {
            String id = StoreLayout.packIdOf(o.key());
            if (id != null) {
              packs.put(id, o);
            }
          },
          Metadata.of(null, StoreLayout.PACKS));
      blobs().index().retainListed(packs);
    }
    return packs;
  }

  public Report verify(Snapshot snapshot, boolean readData) {
    BlobSource src = blobs();
    // Pass 1: the tree is validated as it streams; its distinct blobs (and tree blobs) are
    // collected, with sizes.
    IdTable ids = new IdTable();
    List<Long> sizes = new ArrayList<>();
    try {
      collect(src, snapshot, ids, sizes);
    } catch (IntegrityException e) {
      // A tree blob this verifier's index does not place: the snapshot may be newer than the index,
      // or a collector
      // may have repacked the tree since. Once more with the store's index as it is now.
      refresh();
      src = blobs();
      ids = new IdTable();
      sizes = new ArrayList<>();
      collect(src, snapshot, ids, sizes);
    }
    Map<String, String> bad = new ConcurrentHashMap<>();
    long bytes =
        snapshot.formatVersion() == 1
            ? checkV1(snapshot, ids, sizes, readData, bad)
            : checkV2(snapshot, ids, readData, bad);
    List<Problem> problems = new ArrayList<>();
    if (!bad.isEmpty()) {
      // Pass 2, only when something failed: the first file that needs each bad blob.
      Map<String, String> firstPath = new HashMap<>();
      for (String t : snapshot.treeChunks()) {
        if (bad.containsKey(t)) {
          firstPath.putIfAbsent(t, "(the snapshot's tree)");
        }
      }
      if (firstPath.size() < bad.size()) {
        try (TreeSource tree = src.tree(snapshot)) {
          List<String> dirs = new ArrayList<>();
          for (TreeEntry e = tree.next(); e != null; e = tree.next()) {
            if (e instanceof TreeEntry.Dir d) {
              dirs.add(d.name());
            } else if (e instanceof TreeEntry.End) {
              dirs.remove(dirs.size() - 1);
            } else {
              TreeEntry.File f = (TreeEntry.File) e;
              for (FileBlob b : f.file().blobs()) {
                if (bad.containsKey(b.id())) {
                  List<String> parts = new ArrayList<>(dirs.subList(1, dirs.size()));
                  parts.add(f.file().name());
                  firstPath.putIfAbsent(b.id(), String.join("/", parts));
                }
              }
            }
          }
        } catch (RuntimeException e) {
          // the tree itself is among the damage; its blobs are reported without paths
        }
      }
      for (Map.Entry<String, String> e : bad.entrySet()) {
        problems.add(
            new Problem(
                snapshot.snapshotId(),
                firstPath.getOrDefault(e.getKey(), "?"),
                e.getKey(),
                e.getValue()));
      }
      problems.sort((a, b) -> a.path().compareTo(b.path()));
    }
    return new Report(snapshot.snapshotId(), ids.size(), bytes, problems);
  }

  private static void collect(BlobSource src, Snapshot snapshot, IdTable ids, List<Long> sizes) {
    for (String t : snapshot.treeChunks()) {
      add(ids, sizes, Hashing.unhex(t), -1);
    }
    try (TreeSource tree = src.tree(snapshot)) {
      for (TreeEntry e = tree.next(); e != null; e = tree.next()) {
        if (e instanceof TreeEntry.File f) {
          for (FileBlob b : f.file().blobs()) {
            add(ids, sizes, Hashing.unhex(b.id()), b.size());
          }
        }
      }
    }
  }

  private static void add(IdTable ids, List<Long> sizes, byte[] id, long size) {
    if (ids.find(id) < 0) {
      ids.add(id);
      sizes.add(size);
    }
  }

  private long checkV1(
      Snapshot s, IdTable ids, List<Long> sizes, boolean readData, Map<String, String> bad) {
    List<CompletableFuture<Long>> work = new ArrayList<>();
    long total = 0;
    try (Workers workers = new Workers("strata-verify", parallelism)) {
      for (int e = 0; e < ids.size(); e++) {
        byte[] id = ids.id(e);
        long size = sizes.get(e);
        if (good.contains(id)) {
          continue;
        }
        work.add(
            workers.submit(
                () -> {
                  String hex = Hashing.hex(id);
                  String key = StoreLayout.blobKey(hex);
                  Metadata md = new Metadata(s.metadata().sourceId(), key, size);
                  try {
                    if (readData) {
                      byte[] data = store.get(key, md);
                      if (data.length != size || !Hashing.hex(Hashing.sha256(data)).equals(hex)) {
                        bad.put(hex, "content does not match its checksum");
                      } else {
                        good.add(id);
                      }
                      return (long) data.length;
                    }
                    Optional<ObjectInfo> info = store.stat(key, md);
                    if (info.isEmpty()) {
                      bad.put(hex, "missing");
                    } else if (info.get().size() != size) {
                      bad.put(hex, "has " + info.get().size() + " bytes, expected " + size);
                    }
                    return size;
                  } catch (StoreException ex) {
                    if (ex.kind() == StoreException.Kind.NOT_FOUND) {
                      bad.put(hex, "missing");
                      return 0L;
                    }
                    throw ex;
                  }
                }));
      }
      for (CompletableFuture<Long> f : work) {
        total += f.join();
      }
    }
    return total;
  }

  private long checkV2(Snapshot s, IdTable ids, boolean readData, Map<String, String> bad) {
    BlobSource src = blobs();
    BlobIndex index = src.index();
    Map<String, ObjectInfo> listed = packs();
    Map<Integer, List<Integer>> byPack = new HashMap<>();
    List<byte[]> unplaced = new ArrayList<>();
    long total = 0;
    for (int e = 0; e < ids.size(); e++) {
      byte[] id = ids.id(e);
      if (good.contains(id)) {
        continue;
      }
      int entry = place(index, listed, id);
      if (entry < 0) {
        unplaced.add(id);
        continue;
      }
      total += index.storedLength(entry);
      if (readData) {
        byPack.computeIfAbsent(index.packNumber(entry), k -> new ArrayList<>()).add(entry);
      }
    }
    readPacks(s, src, index, byPack, bad);
    if (unplaced.isEmpty()) {
      return total;
    }
    // The index and the listing of packs were read once for this verifier: a collector may have
    // repacked blobs since
    // (into a new pack and a new index file) and deleted their old packs. Read both again, once,
    // before calling a
    // blob missing.
    refresh();
    src = blobs();
    index = src.index();
    listed = packs();
    byPack = new HashMap<>();
    for (byte[] id : unplaced) {
      int entry = place(index, listed, id);
      if (entry < 0) {
        int[] locations = index.locations(id);
        bad.put(
            Hashing.hex(id),
            locations.length == 0
                ? "missing (no pack of the store holds it)"
                : "missing (its pack "
                    + index.packId(locations[0])
                    + " is "
                    + (listed.containsKey(index.packId(locations[0]))
                        ? "shorter than the index says"
                        : "gone")
                    + ")");
        continue;
      }
      total += index.storedLength(entry);
      if (readData) {
        byPack.computeIfAbsent(index.packNumber(entry), k -> new ArrayList<>()).add(entry);
      }
    }
    readPacks(s, src, index, byPack, bad);
    return total;
  }

  /** The newest entry of {@code id} whose pack is listed and long enough for it, or -1. */
  private static int place(BlobIndex index, Map<String, ObjectInfo> listed, byte[] id) {
    for (int entry : index.locations(id)) {
      ObjectInfo pack = listed.get(index.packId(entry));
      if (pack != null
          && (long) index.offset(entry) + index.storedLength(entry)
              <= pack.size() - PackFile.TRAILER) {
        return entry;
      }
    }
    return -1;
  }

  private synchronized void refresh() {
    blobs = null;
    packs = null;
  }

  private void readPacks(
      Snapshot s,
      BlobSource src,
      BlobIndex index,
      Map<Integer, List<Integer>> byPack,
      Map<String, String> bad) {
    if (byPack.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> work = new ArrayList<>();
    ThreadLocal<BlobCodec> codecs =
        ThreadLocal.withInitial(() -> new BlobCodec(src.repository().sealer()));
    try (Workers workers = new Workers("strata-verify", parallelism)) {
      for (Map.Entry<Integer, List<Integer>> p : byPack.entrySet()) {
        List<Integer> entries = p.getValue();
        entries.sort((a, b) -> Integer.compare(index.offset(a), index.offset(b)));
        String key = PackFile.key(index.packIdOfNumber(p.getKey()));
        work.add(
            workers.submit(
                () -> {
                  readPack(s, index, key, entries, codecs.get(), bad);
                  return null;
                }));
      }
      for (CompletableFuture<Void> f : work) {
        f.join();
      }
    }
  }

  /**
   * Reads the blobs of one pack in one ranged request and checks each; a failed one is tried in its
   * other copies.
   */
  private void readPack(
      Snapshot s,
      BlobIndex index,
      String key,
      List<Integer> entries,
      BlobCodec codec,
      Map<String, String> bad) {
    List<Integer> failed = new ArrayList<>();
    int[] done = {0};
    try {
      PackRange.read(
          store,
          index,
          key,
          entries,
          Metadata.of(s.metadata().sourceId(), key),
          (e, buf, stored) -> {
            done[0]++;
            try {
              codec.decode(index, e, buf, stored);
              good.add(index.id(e));
            } catch (SealException ex) {
              failed.add(e);
            }
            return true;
          });
    } catch (StoreException ex) {
      if (ex.kind() != StoreException.Kind.NOT_FOUND
          && ex.kind() != StoreException.Kind.INTEGRITY) {
        throw ex;
      }
      failed.addAll(entries.subList(done[0], entries.size()));
    } catch (IOException ex) {
      // The stream broke: what was not checked yet is read blob by blob (with the store's retries).
      failed.addAll(entries.subList(done[0], entries.size()));
    }
    for (int e : failed) {
      byte[] id = index.id(e);
      try {
        blobs().read(id, Metadata.of(s.metadata().sourceId(), key));
        good.add(id);
      } catch (IntegrityException ex) {
        bad.put(Hashing.hex(id), "content does not match its checksum (" + ex.getMessage() + ")");
      } catch (StoreException ex) {
        if (ex.kind() != StoreException.Kind.NOT_FOUND) {
          throw ex;
        }
        bad.put(Hashing.hex(id), "missing (" + ex.getMessage() + ")");
      }
    }
  }
}
