package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import dev.strata.testing.S3ProxyExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups, forgets and garbage collection (with repacking) all at once, on the real clock with a
 * grace period of seconds: several sources back up round after round (files changed, added and
 * deleted; content recurring across sources and rounds, so backups find old unreferenced blobs in
 * old packs and refresh them; some backups fail part-way and leave orphan packs), a thread forgets
 * random snapshots (the base of a backup in flight among them), and collectors run back to back,
 * deleting dead packs and repacking sparse ones. Afterwards every snapshot that still exists
 * verifies with read-data and restores byte-identical to the tree it was taken of, and once the
 * grace period has passed one more collection leaves no pack without a referenced blob, and every
 * referenced blob in place.
 */
class GcConcurrencyTest {

  private static final Logger LOG = LoggerFactory.getLogger(GcConcurrencyTest.class);

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension("strata-gc");

  static final Duration REFRESH_AGE = Duration.ofSeconds(1);
  static final int ROUNDS = 30;
  static final int SOURCES = 3;
  static final int CHUNK = 64 * 1024;
  static final int[] SIZES = {1_000, 70_000, 150_000};

  @TempDir Path tmp;

  @Test
  void onTheLocalStore() throws Exception {
    // The local store keeps mtimes to the nanosecond.
    run(new LocalBlobStoreManager(tmp.resolve("store")), Duration.ofSeconds(4), Duration.ZERO);
  }

  @Test
  void onS3() throws Exception {
    // S3 reports times in whole seconds, so an object can look up to a second older than it is.
    run(
        new RetryingBlobStoreManager(
            new S3BlobStoreManager(s3.config("gc", s3.endpoint())), RetryPolicy.defaults()),
        Duration.ofSeconds(6),
        Duration.ofSeconds(1));
  }

  /**
   * Counts the blobs backups refreshed: the path where a backup and a collector race for the same
   * blob.
   */
  static final class CountingStore extends DelegatingStore {
    final AtomicLong refreshes = new AtomicLong();

    CountingStore(BlobStoreManager delegate) {
      super(delegate);
    }

    @Override
    public void removeTTL(String key, Metadata metadata) {
      refreshes.incrementAndGet();
      super.removeTTL(key, metadata);
    }
  }

  void run(BlobStoreManager underlying, Duration grace, Duration timeResolution) throws Exception {
    long seed = System.nanoTime();
    LOG.info("concurrency test seed {} on {}", seed, underlying.location());
    CountingStore store = new CountingStore(underlying);
    Map<String, Taken> expected = new ConcurrentHashMap<>();
    List<GcReport> reports = new ArrayList<>();
    AtomicLong forgets = new AtomicLong();
    AtomicLong failedBackups = new AtomicLong();
    AtomicLong longestBackupMs = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicIntegerArray backingUp = new AtomicIntegerArray(SOURCES);
    GcOptions gcOptions =
        GcOptions.defaults()
            .allowingShortGrace()
            .withGrace(grace)
            .withParallelism(4)
            .withRepack(0.5, 1 << 30);
    BackupOptions backupOptions =
        BackupOptions.defaults()
            .withChunkSize(CHUNK)
            .withParallelism(4)
            .withRefreshAge(REFRESH_AGE)
            .withInit(BackupOptions.defaults().withChunkSize(CHUNK).init().withPackSize(4 * CHUNK));

    ExecutorService pool = Executors.newFixedThreadPool(SOURCES + 2);
    try {
      Future<?> collector =
          pool.submit(
              () -> {
                Random rnd = new Random(seed);
                while (!stop.get()) {
                  GcReport r = new GarbageCollector(store, gcOptions).collect();
                  synchronized (reports) {
                    reports.add(r);
                  }
                  sleep(rnd.nextInt(100));
                }
                return null;
              });
      Future<?> forgetter =
          pool.submit(
              () -> {
                Random rnd = new Random(seed + 1);
                SnapshotCatalog catalog = new SnapshotCatalog(store);
                while (!stop.get()) {
                  sleep(50 + rnd.nextInt(150));
                  // Like a retention policy, keep the newest 0 to 3 snapshots of a source and
                  // forget the rest. Keeping none
                  // forgets the base of the source's next backup; half the time the source is one
                  // whose backup is running.
                  int source = rnd.nextInt(SOURCES);
                  if (rnd.nextBoolean()) {
                    for (int i = 0; i < SOURCES; i++) {
                      if (backingUp.get((source + i) % SOURCES) == 1) {
                        source = (source + i) % SOURCES;
                        break;
                      }
                    }
                  }
                  int chosen = source;
                  List<String> ids =
                      expected.entrySet().stream()
                          .filter(e -> e.getValue().source() == chosen && !e.getValue().last())
                          .map(Map.Entry::getKey)
                          .sorted()
                          .toList();
                  for (String id : ids.subList(0, Math.max(0, ids.size() - rnd.nextInt(4)))) {
                    expected.remove(id);
                    catalog.forget(id);
                    forgets.incrementAndGet();
                  }
                }
                return null;
              });
      List<Future<?>> sources = new ArrayList<>();
      for (int s = 0; s < SOURCES; s++) {
        int source = s;
        sources.add(
            pool.submit(
                () -> {
                  Random rnd = new Random(seed + 10 + source);
                  Path dir = Files.createDirectories(tmp.resolve("src-" + source));
                  // Files that never change, like a database's oldest immutable files: only this
                  // source's snapshots hold them.
                  Trees.write(dir.resolve("stable/a.sst"), Trees.random(10_000 + source, 150_000));
                  Trees.write(dir.resolve("stable/b.sst"), Trees.random(20_000 + source, 70_000));
                  String sourceId = "ns/src-" + source + "/";
                  for (int round = 0; round < ROUNDS; round++) {
                    mutate(dir, rnd, source * 1000 + round);
                    if (rnd.nextInt(6) == 0) {
                      // A backup that dies part-way leaves orphans that later backups find in the
                      // store.
                      try {
                        Snapshot lucky =
                            new BackupEngine(
                                    new FailingAfterPuts(store, rnd.nextInt(2)),
                                    backupOptions,
                                    new Progress())
                                .backup(dir, sourceId)
                                .index();
                        committed(store, lucky, source, round, dir, expected);
                      } catch (StoreException e) {
                        assertThat(e.getMessage()).startsWith("injected failure");
                        failedBackups.incrementAndGet();
                      }
                    }
                    long start = System.nanoTime();
                    backingUp.set(source, 1);
                    Snapshot index =
                        new BackupEngine(store, backupOptions, new Progress())
                            .backup(dir, sourceId)
                            .index();
                    backingUp.set(source, 0);
                    longestBackupMs.accumulateAndGet(
                        (System.nanoTime() - start) / 1_000_000, Math::max);
                    committed(store, index, source, round, dir, expected);
                    sleep(150 + rnd.nextInt(200));
                  }
                  return null;
                }));
      }
      for (Future<?> f : sources) {
        f.get();
      }
      stop.set(true);
      collector.get();
      forgetter.get();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }

    // Collection is safe while a backup lasts less than the grace period minus the refresh age (and
    // the store's time
    // resolution; see docs/garbage-collection.md). Failures say how close a slow machine came to
    // that.
    String context =
        String.format(
            "seed %d; longest backup %d ms, safe below %d ms",
            seed, longestBackupMs.get(), grace.minus(REFRESH_AGE).minus(timeResolution).toMillis());
    long deletedWhileRunning = reports.stream().mapToLong(GcReport::packsDeleted).sum();
    long repackedWhileRunning = reports.stream().mapToLong(GcReport::packsRepacked).sum();
    LOG.info(
        "{} collections deleted {} packs ({} repacked); {} forgets, {} failed backups, {} refreshed packs, longest backup {} ms",
        reports.size(),
        deletedWhileRunning,
        repackedWhileRunning,
        forgets.get(),
        failedBackups.get(),
        store.refreshes.get(),
        longestBackupMs.get());

    SnapshotCatalog catalog = new SnapshotCatalog(store);
    assertThat(catalog.entries(null))
        .as(context)
        .extracting(SnapshotCatalog.Entry::snapshotId)
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    SnapshotVerifier verifier = new SnapshotVerifier(store, 4);
    for (Map.Entry<String, Taken> e : expected.entrySet()) {
      Snapshot index = catalog.load(e.getKey());
      assertThat(verifier.verify(index, true).problems())
          .as("problems of snapshot %s (%s)", e.getKey(), context)
          .isEmpty();
      Path target = tmp.resolve("restored/" + e.getKey());
      new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
          .restore(index, target);
      assertThat(Trees.describe(target))
          .as("restore of %s (%s)", e.getKey(), context)
          .isEqualTo(e.getValue().tree());
    }

    // Once everything is older than the grace period, one collection leaves exactly what the
    // snapshots reference.
    Thread.sleep(grace.plus(timeResolution).plusMillis(100).toMillis());
    GcReport last = new GarbageCollector(store, gcOptions).collect();
    LOG.info("final collection: {}", last);
    Set<String> referenced = new HashSet<>();
    for (SnapshotCatalog.Entry e : catalog.entries(null)) {
      Snapshot snap = catalog.read(e, null);
      EngineRoundTripTest.collectIds(Trees.tree(store, snap), referenced);
      referenced.addAll(snap.treeChunks());
    }
    var index = Trees.index(store);
    Map<String, Integer> liveInPack = new TreeMap<>();
    Set<String> stored = new HashSet<>();
    for (int e = 0; e < index.size(); e++) {
      String id = Hashing.hex(index.id(e));
      String pack = index.packId(e);
      liveInPack.merge(pack, 0, Integer::sum);
      if (index.isNewest(e) && referenced.contains(id)) {
        liveInPack.merge(pack, 1, Integer::sum);
        stored.add(id);
      }
    }
    Set<String> packs = new HashSet<>();
    Set<String> others = new HashSet<>();
    store.list(
        "",
        o -> {
          String id = StoreLayout.packIdOf(o.key());
          if (id != null) {
            packs.add(id);
          } else if (StoreLayout.snapshotIdOf(o.key()) == null
              && StoreLayout.indexIdOf(o.key()) == null
              && !o.key().equals(StoreLayout.CONFIG)) {
            others.add(o.key());
          }
        },
        null);
    assertThat(stored).as(context).isEqualTo(referenced);
    for (String pack : packs) {
      assertThat(liveInPack.getOrDefault(pack, 0))
          .as("referenced blobs in pack %s (%s)", pack, context)
          .isPositive();
    }
    assertThat(others).as("tombstones, progress and pending objects left").isEmpty();
    assertThat(last.snapshots()).isEqualTo(expected.size());
    // The run did what it is meant to test.
    assertThat(reports.size()).as("collections").isGreaterThan(5);
    assertThat(deletedWhileRunning).as("packs deleted while backups ran").isPositive();
    assertThat(repackedWhileRunning).as("packs repacked while backups ran").isPositive();
    assertThat(forgets.get()).isPositive();
    assertThat(failedBackups.get()).isPositive();
    assertThat(store.refreshes.get())
        .as("backups refreshed old packs they found blobs in")
        .isPositive();
    store.close();
  }

  /**
   * A committed snapshot: which source, the tree it was taken of, and whether it is of the last
   * rounds (never forgotten).
   */
  record Taken(int source, TreeMap<String, String> tree, boolean last) {}

  /**
   * Checks a snapshot as soon as it commits (every blob exists), so a blob lost before the commit
   * is caught even when the snapshot is forgotten later, and records it.
   */
  static void committed(
      BlobStoreManager store,
      Snapshot index,
      int source,
      int round,
      Path dir,
      Map<String, Taken> expected) {
    assertThat(new SnapshotVerifier(store, 4).verify(index, false).problems())
        .as("blobs of %s at its commit", index.snapshotId())
        .isEmpty();
    expected.put(index.snapshotId(), new Taken(source, Trees.describe(dir), round >= ROUNDS - 2));
  }

  private static final AtomicLong MTIME = new AtomicLong(1_700_000_000L);

  /**
   * Changes, adds or deletes files; contents come from a small pool so they recur across rounds and
   * sources.
   */
  static void mutate(Path dir, Random rnd, int round) throws IOException {
    List<Path> files;
    try (Stream<Path> all = Files.walk(dir)) {
      files =
          all.filter(Files::isRegularFile)
              .filter(f -> !f.startsWith(dir.resolve("stable")))
              .sorted()
              .toList();
    }
    int changes = 1 + rnd.nextInt(3);
    for (int i = 0; i < changes; i++) {
      int op = rnd.nextInt(10);
      if (files.size() < 3 || op < 3) {
        write(dir.resolve("d" + rnd.nextInt(3) + "/f" + round + "-" + i + ".sst"), rnd);
      } else if (op < 5) {
        Files.deleteIfExists(files.get(rnd.nextInt(files.size())));
      } else {
        Path f = files.get(rnd.nextInt(files.size()));
        if (Files.exists(f)) {
          write(f, rnd);
        }
      }
    }
  }

  static void write(Path file, Random rnd) throws IOException {
    // Equal seeds give equal leading chunks whatever the size, so content recurs.
    Trees.write(file, Trees.random(rnd.nextInt(128), SIZES[rnd.nextInt(SIZES.length)]));
    // A distinct mtime for every write: two writes of one size within a file-system clock tick must
    // not look unchanged.
    Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(MTIME.incrementAndGet())));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
