package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.engine.BackupEngine;
import dev.strata.engine.BackupOptions;
import dev.strata.engine.GarbageCollector;
import dev.strata.engine.GcOptions;
import dev.strata.engine.GcReport;
import dev.strata.engine.Progress;
import dev.strata.engine.RestoreEngine;
import dev.strata.engine.RestoreMode;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotVerifier;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 5, and issue 13 on the real server: backups and collections (deleting dead
 * packs and repacking sparse ones) at once on MinIO, many rounds, with every fourth backup stalled
 * for longer than the collector's grace period part-way (its early packs would be collectable if
 * its pending object did not protect them), and snapshots forgotten meanwhile. Every committed
 * snapshot must verify with read-data, also while the others run, and restore.
 */
@ExtendWith(MinioExtension.class)
class GcMinioConcurrencyTest {

  static final Duration GRACE = Duration.ofSeconds(4);
  static final int ROUNDS = 24;
  static final int SOURCES = 2;

  @TempDir Path tmp;

  /** Passes everything on; {@code beforePut} runs before each blob upload. */
  static final class Stalling implements BlobStoreManager {
    final BlobStoreManager d;
    final Consumer<String> beforePut;

    Stalling(BlobStoreManager d, Consumer<String> beforePut) {
      this.d = d;
      this.beforePut = beforePut;
    }

    public String location() {
      return d.location();
    }

    public void checkAccess() {
      d.checkAccess();
    }

    public void initialize() {
      d.initialize();
    }

    public void put(String k, byte[] b, int n, byte[] h, Metadata m) {
      beforePut.accept(k);
      d.put(k, b, n, h, m);
    }

    public byte[] get(String k, Metadata m) {
      return d.get(k, m);
    }

    public int getInto(String k, byte[] b, Metadata m) {
      return d.getInto(k, b, m);
    }

    public Optional<ObjectInfo> stat(String k, Metadata m) {
      return d.stat(k, m);
    }

    public void delete(String k, Metadata m) {
      d.delete(k, m);
    }

    public void removeTTL(String k, Metadata m) {
      d.removeTTL(k, m);
    }

    public void list(String p, Consumer<ObjectInfo> c, Metadata m) {
      d.list(p, c, m);
    }

    public void close() {}
  }

  @Test
  void backupsLongerThanTheGracePeriodCommitWholeSnapshotsWhileCollectorsRun(MinioServer minio)
      throws Exception {
    S3StoreConfig config =
        new S3StoreConfig(
            minio.endpoint(),
            minio.freshBucket("gc-long"),
            "p",
            minio.region(),
            true,
            minio.accessKey(),
            minio.secretKey(),
            null);
    BlobStoreManager store =
        new RetryingBlobStoreManager(new S3BlobStoreManager(config), RetryPolicy.defaults());
    long seed = System.nanoTime();
    Map<String, Integer> committed = new ConcurrentHashMap<>();
    List<GcReport> reports = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger longBackups = new AtomicInteger();
    // Packs of 64 KiB: a backup writes several, collections delete dead ones and repack sparse ones
    // while backups run.
    GcOptions gc =
        GcOptions.defaults()
            .allowingShortGrace()
            .withGrace(GRACE)
            .withParallelism(4)
            .withRepack(0.5, 1L << 30);
    BackupOptions options =
        BackupOptions.defaults()
            .withChunkSize(64 * 1024)
            .withParallelism(4)
            .withRefreshAge(Duration.ofSeconds(1))
            .withInit(
                BackupOptions.defaults().withChunkSize(64 * 1024).init().withPackSize(64 * 1024));
    ExecutorService pool = Executors.newFixedThreadPool(SOURCES + 2);
    try {
      Future<?> collector =
          pool.submit(
              () -> {
                while (!stop.get()) {
                  GcReport r = new GarbageCollector(store, gc).collect();
                  synchronized (reports) {
                    reports.add(r);
                  }
                  Thread.sleep(100);
                }
                return null;
              });
      Future<?> forgetter =
          pool.submit(
              () -> {
                Random rnd = new Random(seed);
                SnapshotCatalog catalog = new SnapshotCatalog(store);
                while (!stop.get()) {
                  Thread.sleep(300 + rnd.nextInt(300));
                  List<String> ids = committed.keySet().stream().sorted().toList();
                  if (ids.size() > 4) {
                    String id = ids.get(rnd.nextInt(ids.size() - 4));
                    committed.remove(id);
                    catalog.forget(id);
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
                  Random rnd = new Random(seed + source);
                  Path dir = Files.createDirectories(tmp.resolve("src-" + source));
                  for (int round = 0; round < ROUNDS; round++) {
                    // Contents recur across rounds and sources, so backups find (and refresh) old
                    // unreferenced blobs too.
                    Path f = dir.resolve("f" + rnd.nextInt(6) + ".sst");
                    byte[] data = new byte[70_000 + rnd.nextInt(3) * 40_000];
                    new Random(rnd.nextInt(10)).nextBytes(data);
                    Files.write(f, data);
                    Files.setLastModifiedTime(
                        f,
                        FileTime.from(
                            Instant.ofEpochSecond(1_700_000_000L + source * 1000 + round)));
                    // And new content every round: at least three new blobs, so a stalled backup
                    // has uploaded one before it stalls.
                    byte[] fresh = new byte[140_000];
                    new Random(seed * 31 + source * 1000 + round).nextBytes(fresh);
                    Files.write(dir.resolve("new-" + round + ".sst"), fresh);
                    boolean stall = round % 4 == 3;
                    AtomicInteger puts = new AtomicInteger();
                    BlobStoreManager through =
                        !stall
                            ? store
                            : new Stalling(
                                store,
                                key -> {
                                  if (key.startsWith("packs/") && puts.incrementAndGet() == 2) {
                                    longBackups.incrementAndGet();
                                    sleep(
                                        GRACE
                                            .plusSeconds(2)
                                            .toMillis()); // its first blob is older than the grace
                                    // when it commits
                                  }
                                });
                    Snapshot index =
                        new BackupEngine(through, options, new Progress())
                            .backup(dir, "ns/src-" + source + "/")
                            .index();
                    assertThat(new SnapshotVerifier(store, 4).verify(index, false).problems())
                        .as("blobs of %s at its commit (seed %d)", index.snapshotId(), seed)
                        .isEmpty();
                    committed.put(index.snapshotId(), source);
                    if (round % 6 == 5) {
                      verifyAll(
                          store, seed); // verify --all --read-data, while the other source and the
                      // collector go on
                    }
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
    // verify --all --read-data, and restore each: nothing committed refers to a missing or corrupt
    // blob.
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    for (SnapshotCatalog.Entry e : catalog.entries(null)) {
      Snapshot index = catalog.read(e, null);
      assertThat(new SnapshotVerifier(store, 4).verify(index, true).problems())
          .as("snapshot %s (seed %d)", e.snapshotId(), seed)
          .isEmpty();
      new RestoreEngine(
              store, new RestoreOptions(RestoreMode.EMPTY, 4, false, false), new Progress())
          .restore(index, tmp.resolve("r/" + e.snapshotId()));
    }
    assertThat(reports.size()).as("collections").isGreaterThan(10);
    assertThat(reports.stream().mapToLong(GcReport::packsDeleted).sum())
        .as("packs the collectors deleted")
        .isPositive();
    assertThat(reports.stream().mapToLong(GcReport::packsRepacked).sum())
        .as("packs the collectors repacked")
        .isPositive();
    assertThat(longBackups.get()).isEqualTo(SOURCES * ROUNDS / 4);
    store.close();
  }

  /** Every committed snapshot verifies with read-data (one forgotten meanwhile is skipped). */
  static void verifyAll(BlobStoreManager store, long seed) {
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    SnapshotVerifier verifier = new SnapshotVerifier(store, 2);
    for (SnapshotCatalog.Entry e : catalog.entries(null)) {
      Snapshot s;
      try {
        s = catalog.read(e, null);
      } catch (dev.strata.engine.SnapshotNotFoundException forgotten) {
        continue;
      }
      assertThat(verifier.verify(s, true).problems())
          .as("snapshot %s while backups ran (seed %d)", e.snapshotId(), seed)
          .isEmpty();
    }
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
