package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection of a store of format 1 (one object per chunk, as Strata wrote before packs: a
 * store that moves to format 2 keeps them until their snapshots go), on a local store. Time is a
 * fixed clock, and objects are aged by setting their mtimes, so nothing sleeps: "old" is 7 h (past
 * the default 6 h grace), "young" 1 h. Packs: {@link PackCollectorTest}.
 */
class GarbageCollectorTest {

  static final Duration OLD = Duration.ofHours(7);
  static final Duration YOUNG = Duration.ofHours(1);
  static final int CHUNK = 64 * 1024;

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;
  Instant now;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
    // Whole seconds, as S3 reports them; a touched object (removeTTL, real time) is never older
    // than this.
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  GcReport gc() {
    return gc(false);
  }

  GcReport gc(boolean dryRun) {
    return gc(store, dryRun);
  }

  GcReport gc(BlobStoreManager on, boolean dryRun) {
    return new GarbageCollector(
            on, GcOptions.defaults().withDryRun(dryRun).withClock(Clock.fixed(now, ZoneOffset.UTC)))
        .collect();
  }

  SnapshotIndex backup() throws IOException {
    return FormatOne.backup(store, source, "ns/pvc/", CHUNK, null);
  }

  static Set<String> ids(SnapshotIndex index) {
    Set<String> out = new HashSet<>();
    EngineRoundTripTest.collectIds(index.root(), out);
    return out;
  }

  void write(String name, long seed, int size) throws IOException {
    Trees.write(source.resolve(name), Trees.random(seed, size));
  }

  void age(String key, Duration age) throws IOException {
    Files.setLastModifiedTime(store.root().resolve(key), FileTime.from(now.minus(age)));
  }

  void ageAll(String prefix, Duration age) throws IOException {
    for (ObjectInfo o : list(prefix).values()) {
      age(o.key(), age);
    }
  }

  Map<String, ObjectInfo> list(String prefix) {
    Map<String, ObjectInfo> out = new TreeMap<>();
    store.list(prefix, o -> out.put(o.key(), o), null);
    return out;
  }

  Set<String> blobIds() {
    Set<String> ids = new HashSet<>();
    list(StoreLayout.BLOBS).keySet().forEach(k -> ids.add(StoreLayout.blobIdOf(k)));
    return ids;
  }

  /** A blob no snapshot references, as a failed backup leaves behind. */
  String orphan(long seed, Duration age) throws IOException {
    byte[] data = Trees.random(seed, 10_000);
    String id = Hashing.hex(Hashing.sha256(data));
    store.put(StoreLayout.blobKey(id), data, data.length, null, null);
    age(StoreLayout.blobKey(id), age);
    return id;
  }

  void assertRestorable(SnapshotIndex index) {
    assertThat(new SnapshotVerifier(store, 4).verify(Snapshot.of(null, index), true).problems())
        .isEmpty();
  }

  @Test
  void deletesOldUnreferencedBlobsAndKeepsReferencedAndYoungOnes() throws IOException {
    write("a.sst", 1, 200_000); // 4 chunks
    write("b.log", 2, 1_000);
    SnapshotIndex s = backup();
    ageAll(StoreLayout.BLOBS, OLD);
    String oldOrphan = orphan(100, OLD);
    String youngOrphan = orphan(101, YOUNG);

    GcReport r = gc();

    assertThat(r.snapshots()).isEqualTo(1);
    assertThat(r.blobsScanned()).isEqualTo(7);
    assertThat(r.blobsReferenced()).isEqualTo(5);
    assertThat(r.blobsDeleted()).isEqualTo(1);
    assertThat(r.bytesDeleted()).isEqualTo(10_000);
    assertThat(r.blobsKeptYoung()).isEqualTo(1);
    assertThat(r.dryRun()).isFalse();
    assertThat(blobIds()).doesNotContain(oldOrphan).contains(youngOrphan).containsAll(ids(s));
    assertRestorable(s);

    assertThat(gc().blobsDeleted()).as("a second run finds nothing more").isZero();
  }

  @Test
  void aForgottenSnapshotsBlobsStayUntilItsTombstoneExpiresThenGo() throws IOException {
    write("shared.sst", 1, 100_000);
    write("only-in-first.sst", 2, 100_000);
    SnapshotIndex first = backup();
    Files.delete(source.resolve("only-in-first.sst"));
    write("only-in-second.sst", 3, 100_000);
    SnapshotIndex second = backup();
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    String tombstone = catalog.forget(first.snapshotId());
    Set<String> onlyFirst = new HashSet<>(ids(first));
    onlyFirst.removeAll(ids(second));
    assertThat(onlyFirst).hasSize(2);
    ageAll(StoreLayout.BLOBS, OLD);
    age(tombstone, YOUNG);

    GcReport kept = gc();
    assertThat(kept.snapshots()).isEqualTo(1);
    assertThat(kept.tombstones()).isEqualTo(1);
    assertThat(kept.tombstonesDeleted()).isZero();
    assertThat(kept.blobsDeleted()).isZero();
    assertThat(blobIds()).containsAll(onlyFirst);

    age(tombstone, OLD);
    GcReport expired = gc();
    assertThat(expired.tombstones()).isEqualTo(1);
    assertThat(expired.tombstonesDeleted()).isEqualTo(1);
    assertThat(expired.blobsDeleted()).isEqualTo(2);
    assertThat(expired.bytesDeleted()).isEqualTo(100_000);
    assertThat(store.stat(tombstone, null)).isEmpty();
    assertThat(blobIds()).doesNotContainAnyElementsOf(onlyFirst).containsAll(ids(second));
    assertRestorable(second);
  }

  @Test
  void aDryRunDeletesNothingAndReportsWhatARealRunDeletes() throws IOException {
    write("a.sst", 1, 150_000);
    SnapshotIndex first = backup();
    write("a.sst", 2, 150_000);
    backup();
    String tombstone = new SnapshotCatalog(store).forget(first.snapshotId());
    ageAll(StoreLayout.BLOBS, OLD);
    age(tombstone, OLD);
    orphan(100, OLD);
    orphan(101, YOUNG);
    putProgress("dead-run", OLD);
    Map<String, ObjectInfo> before = list("");

    GcReport dry = gc(true);

    assertThat(list("")).as("a dry run changes nothing").isEqualTo(before);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.blobsDeleted())
        .isEqualTo(4); // 3 chunks of the forgotten snapshot, and the old orphan
    assertThat(dry.tombstonesDeleted()).isEqualTo(1);
    assertThat(dry.progressObjectsDeleted()).isEqualTo(1);
    GcReport real = gc(false);
    assertThat(real.dryRun()).isFalse();
    assertThat(withoutRunFields(real)).isEqualTo(withoutRunFields(dry));
    assertThat(list("").size()).isEqualTo(before.size() - 6);
  }

  static GcReport withoutRunFields(GcReport r) {
    return new GcReport(
        r.snapshots(),
        r.tombstones(),
        r.tombstonesDeleted(),
        r.blobsScanned(),
        r.blobsReferenced(),
        r.blobsDeleted(),
        r.bytesDeleted(),
        r.blobsKeptYoung(),
        r.progressObjectsDeleted(),
        false,
        0,
        r.packs(),
        r.packsDeleted(),
        r.packsRepacked(),
        r.bytesRepacked(),
        r.packsKeptYoung(),
        r.packsIndexed());
  }

  @Test
  void anUnreadableIndexStopsCollectionBeforeAnythingIsDeleted() throws IOException {
    write("a.sst", 1, 1_000);
    backup();
    orphan(100, OLD);
    String future = StoreLayout.indexKey("ns/other/", SnapshotIds.next(now));
    byte[] newer = gzip("{\"formatVersion\": 3, \"snapshotId\": \"x\"}");
    store.put(future, newer, newer.length, null, null);
    Map<String, ObjectInfo> before = list("");

    assertThatThrownBy(this::gc)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("garbage collection stopped before deleting anything")
        .hasMessageContaining(future)
        .hasMessageContaining("format version 3");
    assertThatThrownBy(() -> gc(true)).hasMessageContaining("format version 3");
    assertThat(list("")).isEqualTo(before);

    // Forgotten, it still stops collection while its tombstone is young; once expired it is deleted
    // unread.
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    String tombstone = catalog.forget(catalog.entries("ns/other/").get(0));
    age(tombstone, YOUNG);
    assertThatThrownBy(this::gc).hasMessageContaining("tombstone " + tombstone);
    age(tombstone, OLD);
    GcReport r = gc();
    assertThat(r.tombstonesDeleted()).isEqualTo(1);
    assertThat(r.blobsDeleted()).isEqualTo(1);
  }

  /**
   * A local store writes each object to a temporary name and renames it; a backup killed mid-write
   * (kill -9, a node lost) left its temporary files, packs of up to 16 MiB each, which nothing ever
   * deleted: list() hides them, so the collector never saw them.
   */
  @Test
  void temporaryFilesOfDeadWritesInALocalStoreAreDeletedAndYoungOnesKept() throws IOException {
    write("a.sst", 1, 1_000);
    backup();
    String pack = "packs/ab/" + "ab".repeat(32);
    Path dead = temporary(pack + ".tmp-1f2e3d4c5b6a7988", OLD);
    Path deadIndex = temporary("index/" + "cd".repeat(32) + ".tmp-7", OLD);
    Path live = temporary(pack + ".tmp-0123456789abcdef", Duration.ofSeconds(2));
    Path notOurs = temporary("packs/ab/notes.tmp-mine", OLD);
    Map<String, ObjectInfo> before = list("");

    GcReport dry = gc(true);
    assertThat(dry.progressObjectsDeleted()).isEqualTo(2);
    assertThat(dead).exists();
    assertThat(deadIndex).exists();

    GcReport r = gc();
    assertThat(r.progressObjectsDeleted()).isEqualTo(2);
    assertThat(dead).doesNotExist();
    assertThat(deadIndex).doesNotExist();
    assertThat(live).exists();
    assertThat(notOurs).exists();
    assertThat(list("")).isEqualTo(before);
  }

  Path temporary(String name, Duration age) throws IOException {
    Path p = store.root().resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[100]);
    Files.setLastModifiedTime(p, FileTime.from(now.minus(age)));
    return p;
  }

  @Test
  void progressObjectsOfDeadRunsAreDeletedAndLiveOnesKept() throws IOException {
    putProgress("dead", OLD);
    putProgress("live", Duration.ofSeconds(2));
    store.put("progress/not-progress.txt", new byte[1], 1, null, null);
    age("progress/not-progress.txt", OLD);

    GcReport r = gc();

    assertThat(r.progressObjectsDeleted()).isEqualTo(1);
    assertThat(list(StoreLayout.PROGRESS).keySet())
        .containsExactly("progress/live.json", "progress/not-progress.txt");
  }

  @Test
  void aSnapshotCommittedWhileBlobsAreListedKeepsItsBlobs() throws IOException {
    write("a.sst", 1, 100_000);
    backup();
    ageAll(StoreLayout.BLOBS, OLD);
    String reused = orphan(100, OLD);
    // A backup commits right after the collector listed the blobs, referencing an old blob it found
    // in the store.
    Runnable commit = () -> commitIndexReferencing("ns/late/", reused);
    GcReport r = gc(afterListingBlobs(commit), false);

    assertThat(blobIds()).contains(reused);
    assertThat(r.snapshots()).isEqualTo(2);
    assertThat(r.blobsDeleted()).isZero();
  }

  @Test
  void aBlobRefreshedBetweenListingAndDeletingIsKept() throws IOException {
    write("a.sst", 1, 1_000);
    backup();
    String refreshed = orphan(100, OLD);
    String other = orphan(101, OLD);
    // A backup finds the blob in the store and restarts its age after the collector listed it as
    // old.
    Runnable touch = () -> store.removeTTL(StoreLayout.blobKey(refreshed), null);
    GcReport r = gc(afterListingBlobs(touch), false);

    assertThat(blobIds()).contains(refreshed).doesNotContain(other);
    assertThat(r.blobsDeleted()).isEqualTo(1);
    assertThat(r.blobsKeptYoung()).isEqualTo(1);
  }

  @Test
  void graceMustCoverTheBackupsRefreshAge() {
    assertThatThrownBy(() -> GcOptions.defaults().withGrace(Duration.ofMinutes(30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("30m is too short")
        .hasMessageContaining("at least 1h")
        .hasMessageContaining("clock skew");
    assertThatThrownBy(
            () -> GcOptions.defaults().allowingShortGrace().withGrace(Duration.ofSeconds(-1)))
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> GcOptions.defaults().withParallelism(0))
        .hasMessageContaining("between 1 and 256");
    assertThat(GcOptions.defaults().withGrace(Duration.ofHours(1)).grace())
        .isEqualTo(Duration.ofHours(1));
    assertThat(GcOptions.defaults().allowingShortGrace().withGrace(Duration.ofSeconds(2)).grace())
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(GcOptions.defaults().grace()).isEqualTo(Duration.ofHours(6));
    assertThat(GcOptions.defaults().parallelism()).isEqualTo(8);
  }

  /**
   * The store, with {@code event} run once, just after the collector's first listing of the blobs.
   */
  BlobStoreManager afterListingBlobs(Runnable event) {
    return new DelegatingStore(store) {
      boolean done;

      @Override
      public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
        super.list(prefix, consumer, metadata);
        if (prefix.equals(StoreLayout.BLOBS) && !done) {
          done = true;
          event.run();
        }
      }
    };
  }

  void commitIndexReferencing(String sourceId, String blobId) {
    try {
      Path other = Files.createDirectories(tmp.resolve("late"));
      Trees.write(other.resolve("f"), Trees.random(100, 10_000)); // the orphan's content
      FormatOne.backup(store, other, sourceId, CHUNK, null);
      assertThat(ids(new SnapshotCatalog(store).latest(sourceId).orElseThrow().v1Index()))
          .containsExactly(blobId);
      age(StoreLayout.blobKey(blobId), OLD); // as if found young by the backup and not refreshed
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  void putProgress(String name, Duration age) throws IOException {
    String key = StoreLayout.progressKey(name);
    store.put(key, "{}".getBytes(StandardCharsets.UTF_8), 2, null, null);
    age(key, age);
  }

  static byte[] gzip(String json) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(json.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
