package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.format.Compression;
import dev.strata.engine.format.Repository;
import dev.strata.engine.pack.PackEntry;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection of packs, on a local store, with a fixed clock and aged objects (nothing
 * sleeps): dead packs go, sparse ones are repacked within the bound on bytes copied, young ones and
 * those a running backup lists as pending stay, a dry run reports what a real one does, and index
 * files are merged.
 */
class PackCollectorTest {

  static final Duration OLD = Duration.ofHours(7);
  static final int CHUNK = 16 * 1024;

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;
  Instant now;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  Snapshot backup() {
    BackupOptions o =
        BackupOptions.defaults()
            .withChunkSize(CHUNK)
            .withParallelism(1)
            .withCompression(Compression.OFF)
            .withInit(
                BackupOptions.defaults().withChunkSize(CHUNK).init().withPackSize(256 * 1024));
    return new BackupEngine(store, o, new Progress()).backup(source, "ns/pvc/").index();
  }

  GcReport gc(boolean dryRun, long maxRepack) {
    return new GarbageCollector(
            store,
            GcOptions.defaults()
                .withDryRun(dryRun)
                .withClock(Clock.fixed(now, ZoneOffset.UTC))
                .withRepack(0.5, maxRepack))
        .collect();
  }

  void ageAll(Duration age) throws IOException {
    List<String> keys = new ArrayList<>();
    store.list("", o -> keys.add(o.key()), null);
    for (String k : keys) {
      Files.setLastModifiedTime(store.root().resolve(k), FileTime.from(now.minus(age)));
    }
  }

  Map<String, ObjectInfo> list(String prefix) {
    Map<String, ObjectInfo> out = new TreeMap<>();
    store.list(prefix, o -> out.put(o.key(), o), null);
    return out;
  }

  void assertWhole(Snapshot s, Path expected) {
    assertThat(new SnapshotVerifier(store, 2).verify(s, true).problems()).isEmpty();
    Path t = tmp.resolve("r-" + s.snapshotId() + "-" + System.nanoTime());
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY).withFsync(false), new Progress())
        .restore(s, t);
    if (expected != null) {
      Trees.assertSameTree(expected, t);
    }
  }

  /**
   * Ten files of 100 KB backed up; then one more, backed up and forgotten: its data pack and tree
   * pack are garbage. Returns the first snapshot.
   */
  Snapshot aSnapshotAndAForgottenOne() throws IOException {
    for (int i = 0; i < 10; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(i, 100_000));
    }
    Snapshot s = backup();
    Trees.write(source.resolve("gone.sst"), Trees.random(99, 100_000));
    new SnapshotCatalog(store).forget(backup().snapshotId());
    return s;
  }

  /**
   * An index file lost (deleted by hand as "corrupt", a bucket lifecycle rule, a bad disk): the
   * packs it listed are in no index, and the collector took them for orphans of failed backups and
   * deleted them, blobs the live snapshot references with them. It reads such a pack's header
   * first: one that holds a live blob is kept and listed in a new index file, which heals the
   * store.
   */
  @Test
  void aPackNoIndexListsIsKeptAndIndexedAgainWhenItHoldsALiveBlob() throws IOException {
    Snapshot s = aSnapshotAndAForgottenOne();
    Repository repo = Repository.open(store, null);
    List<String> indexKeys = new ArrayList<>(list(StoreLayout.INDEX).keySet());
    List<dev.strata.engine.pack.IndexFile.Pack> all = new ArrayList<>();
    for (String k : indexKeys) {
      all.addAll(dev.strata.engine.pack.IndexFiles.read(repo, k));
    }
    // Keep only the packs that hold trees in the index: every data pack is now listed nowhere.
    List<dev.strata.engine.pack.IndexFile.Pack> trees =
        all.stream()
            .filter(p -> p.list().stream().anyMatch(e -> e.type() == PackEntry.TREE))
            .toList();
    for (String k : indexKeys) {
      store.delete(k, null);
    }
    dev.strata.engine.pack.IndexFiles.write(repo, trees, now.toEpochMilli());
    ageAll(OLD);
    int dataPacks = all.size() - trees.size();
    assertThat(dataPacks).isGreaterThan(2);

    // The forgotten snapshot's data pack (now an orphan) and its tree pack go, nothing else.
    GcReport dry = gc(true, 0);
    assertThat(dry.packsDeleted()).isEqualTo(2);
    GcReport r = gc(false, 0);
    assertThat(r.packsDeleted()).isEqualTo(2);
    assertThat(list(StoreLayout.PACKS)).hasSize(all.size() - 2);

    assertWhole(s, null);
    assertThat(gc(false, 0).packsDeleted()).isZero();
    assertWhole(s, null);
  }

  /**
   * Every index file lost (a store's index is one merged file after a collection): the snapshots'
   * trees are in no index either, and the collector stopped at the first tree it could not read, so
   * nothing healed the store. It indexes the packs no index file lists from their own headers
   * before it marks: the snapshot is whole again, and an orphan of a failed backup still goes.
   */
  @Test
  void everyIndexFileLostIsRebuiltFromThePacksHeaders() throws IOException {
    Snapshot s = aSnapshotAndAForgottenOne();
    int packs = list(StoreLayout.PACKS).size();
    for (String k : list(StoreLayout.INDEX).keySet()) {
      store.delete(k, null);
    }
    ageAll(OLD);
    GcReport r = gc(false, 0);

    // The forgotten snapshot's data pack and tree pack go, nothing else.
    assertThat(r.packsDeleted()).isEqualTo(2);
    assertThat(list(StoreLayout.PACKS)).hasSize(packs - 2);
    assertWhole(s, null);
    assertThat(gc(false, 0).packsDeleted()).isZero();
  }

  /**
   * With every index file lost, a dry run stopped at the first tree it could not read ("garbage
   * collection stopped before deleting anything"): the repair that makes the trees readable writes
   * an index file, and a dry run writes nothing. It now plans with the repair done in memory: it
   * reports the packs it would list in a new index file and what it would delete, as the real
   * collection then does, and the store is as it was, byte for byte and date for date.
   */
  @Test
  void aDryRunPlansTheRebuiltIndexInMemoryAndWritesNothing() throws IOException {
    Snapshot s = aSnapshotAndAForgottenOne();
    int packs = list(StoreLayout.PACKS).size();
    for (String k : list(StoreLayout.INDEX).keySet()) {
      store.delete(k, null);
    }
    ageAll(OLD);
    Map<String, ObjectInfo> before = list("");

    GcReport dry = gc(true, 0);
    assertThat(list("")).as("a dry run writes nothing").isEqualTo(before);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.packsIndexed()).isEqualTo(packs);
    assertThat(dry.packsDeleted()).isEqualTo(2);

    GcReport real = gc(false, 0);
    assertThat(real.packsIndexed()).isEqualTo(dry.packsIndexed());
    assertThat(real.packsDeleted()).isEqualTo(dry.packsDeleted());
    assertThat(real.blobsDeleted()).isEqualTo(dry.blobsDeleted());
    assertThat(real.bytesDeleted()).isEqualTo(dry.bytesDeleted());
    assertThat(real.blobsReferenced()).isEqualTo(dry.blobsReferenced());
    assertWhole(s, null);
    assertThat(gc(true, 0).packsIndexed()).isZero();
  }

  /**
   * A damaged index file stopped every backup, restore, verify and collection with "object index/…
   * is corrupt: Src size is incorrect" and no way out. The message says what to do, and doing it
   * (moving the file out of the store, then a collection) makes the store whole.
   */
  @Test
  void aDamagedIndexFileSaysHowToRecoverAndRecoveringWorks() throws IOException {
    for (int i = 0; i < 4; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(i, 100_000));
    }
    Snapshot s = backup();
    String key = list(StoreLayout.INDEX).keySet().iterator().next();
    Path file = store.root().resolve(key);
    byte[] b = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(b, b.length - 20));

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> dev.strata.engine.pack.BlobIndex.load(Repository.open(store, null)))
        .hasMessageContaining(key)
        .hasMessageContaining(
            "the index file is damaged: move it out of the store (keep a copy), then run `strata"
                + " gc`");

    Files.move(file, tmp.resolve("damaged-index"));
    ageAll(OLD);
    gc(false, 0);
    assertWhole(s, null);
  }

  @Test
  void deadPacksGoSparseOnesAreRepackedAndWhatSnapshotsReferenceStays() throws IOException {
    // Ten files of 100 KB in packs of 256 KiB; then seven of them go and the first snapshot is
    // forgotten.
    for (int i = 0; i < 10; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(i, 100_000));
    }
    Snapshot first = backup();
    for (int i = 0; i < 7; i++) {
      Files.delete(source.resolve("f" + i + ".sst"));
    }
    Snapshot second = backup();
    new SnapshotCatalog(store).forget(first.snapshotId());
    ageAll(OLD);
    int packsBefore = list(StoreLayout.PACKS).size();
    Map<String, ObjectInfo> before = list("");

    // A verifier that read the index and the list of packs before the collection (verify --all,
    // while it runs).
    SnapshotVerifier early = new SnapshotVerifier(store, 2);
    assertThat(early.verify(second, false).problems()).isEmpty();

    GcReport dry = gc(true, 1L << 30);
    assertThat(list("")).as("a dry run changes nothing").isEqualTo(before);
    GcReport real = gc(false, 1L << 30);
    assertThat(early.verify(second, true).problems())
        .as("repacked blobs are found in their new packs")
        .isEmpty();

    assertThat(real.packsDeleted()).isEqualTo(dry.packsDeleted()).isPositive();
    assertThat(real.packsRepacked()).isEqualTo(dry.packsRepacked()).isPositive();
    assertThat(real.bytesDeleted())
        .as("a dry run says what a real run frees")
        .isEqualTo(dry.bytesDeleted());
    assertThat(real.blobsDeleted()).isEqualTo(dry.blobsDeleted());
    assertThat(real.tombstonesDeleted()).isEqualTo(1);
    assertThat(real.bytesDeleted())
        .as("about 700 KB of forgotten content freed")
        .isGreaterThan(500_000);
    assertThat(list(StoreLayout.PACKS).size()).isLessThan(packsBefore);
    assertThat(list(StoreLayout.INDEX)).as("index files merged into one").hasSize(1);
    assertWhole(second, source);
    // Once what the repack wrote is old too, a collection finds nothing left to do but keep.
    ageAll(OLD);
    GcReport again = gc(false, 1L << 30);
    assertThat(again.packsDeleted()).isZero();
    assertWhole(second, source);
    // The early verifier again, on blobs stored since it read the index, in packs it has not
    // listed.
    Trees.write(source.resolve("later.sst"), Trees.random(77, 150_000));
    Snapshot third = backup();
    assertThat(early.verify(third, true).problems())
        .as("a snapshot newer than the verifier's index")
        .isEmpty();
  }

  @Test
  void blobsOnlyAYoungTombstoneKeepsAreNotRepackedSoTheyGoWhenItExpires() throws IOException {
    // Nightly backups, each adding a 20 KB file no other snapshot holds and dropping the previous
    // night's: every night's data pack is small (under an eighth of the pack size).
    Trees.write(source.resolve("seed.txt"), Trees.random(100, 1_000));
    List<Snapshot> nights = new ArrayList<>();
    for (int night = 1; night <= 5; night++) {
      Files.deleteIfExists(source.resolve("night-" + (night - 1) + ".sst"));
      Trees.write(source.resolve("night-" + night + ".sst"), Trees.random(night, 20_000));
      nights.add(backup());
    }
    // Retention forgets the two oldest; their tombstones are young when the collector next runs
    // (it runs at once, as retention asks it to), while every pack is old.
    ageAll(OLD);
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    List<String> tombstones =
        List.of(
            catalog.forget(nights.get(0).snapshotId()), catalog.forget(nights.get(1).snapshotId()));
    long before = packBytes();

    GcReport held = gc(false, 1L << 30);
    assertThat(held.tombstonesDeleted()).isZero();
    assertThat(packBytes())
        .as("what the young tombstones hold stays in the store")
        .isGreaterThan(before - 20_000);
    nights.subList(2, 5).forEach(s -> assertWhole(s, null));

    // Once the tombstones expire, night 2's file (held by nothing) goes with the next collection:
    // it was not copied into a pack that live blobs keep above the repack threshold.
    ageAll(OLD);
    for (String t : tombstones) {
      assertThat(list(t)).isNotEmpty();
    }
    GcReport freed = gc(false, 1L << 30);
    assertThat(freed.tombstonesDeleted()).isEqualTo(2);
    assertThat(packBytes()).isLessThanOrEqualTo(before - 20_000);
    nights.subList(2, 5).forEach(s -> assertWhole(s, null));
    assertWhole(nights.get(4), source);
  }

  long packBytes() {
    return list(StoreLayout.PACKS).values().stream().mapToLong(ObjectInfo::size).sum();
  }

  @Test
  void repackingCopiesNoMoreThanItsBoundPerRun() throws IOException {
    for (int i = 0; i < 10; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(i, 100_000));
    }
    Snapshot first = backup();
    for (int i = 0; i < 10; i += 2) {
      Files.delete(source.resolve("f" + i + ".sst"));
    }
    Snapshot second = backup();
    new SnapshotCatalog(store).forget(first.snapshotId());
    ageAll(OLD);
    GcReport bounded = gc(false, 100_000);
    assertThat(bounded.bytesRepacked()).isLessThanOrEqualTo(100_000);
    assertWhole(second, source);
    GcReport rest = gc(false, 1L << 30);
    assertThat(rest.bytesRepacked() + bounded.bytesRepacked()).isGreaterThan(100_000);
    assertWhole(second, source);
  }

  @Test
  void youngPacksAndPacksARunningBackupListsAsPendingStay() throws IOException {
    for (int i = 0; i < 4; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(i, 100_000));
    }
    Snapshot first = backup();
    String tombstone = new SnapshotCatalog(store).forget(first.snapshotId());
    store.delete(tombstone, null);
    Set<String> packs = new HashSet<>(list(StoreLayout.PACKS).keySet());

    // Young: kept.
    GcReport young = gc(false, 1L << 30);
    assertThat(young.packsDeleted()).isZero();
    assertThat(young.packsKeptYoung()).isPositive();
    // Old, but a running backup (its pending object rewritten a minute ago) relies on them: kept.
    ageAll(OLD);
    List<String> ids = packs.stream().map(StoreLayout::packIdOf).toList();
    byte[] pending =
        dev.strata.engine.index.IndexCodec.mapper()
            .writeValueAsBytes(Map.of("sourceId", "ns/other/", "packs", ids));
    String key = StoreLayout.pendingKey("0123456789abcdef0123456789abcdef");
    Repository.open(store, null)
        .putObject(key, pending, dev.strata.engine.store.Metadata.of(null, key));
    Files.setLastModifiedTime(
        store.root().resolve(key), FileTime.from(now.minus(Duration.ofMinutes(1))));
    GcReport pendingKept = gc(false, 1L << 30);
    assertThat(pendingKept.packsDeleted()).isZero();
    assertThat(list(StoreLayout.PACKS).keySet()).containsAll(packs);
    // The backup died: its pending object ages past the grace period; then the packs go, and so
    // does the object.
    Files.setLastModifiedTime(store.root().resolve(key), FileTime.from(now.minus(OLD)));
    GcReport dead = gc(false, 1L << 30);
    assertThat(dead.packsDeleted()).isEqualTo(packs.size());
    assertThat(list(StoreLayout.PENDING)).isEmpty();
  }
}
