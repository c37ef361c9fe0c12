package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup's side of lock-free garbage collection: what a collector may do at the worst moment
 * during a backup (forget its base, delete a pack it is reusing blobs from), played exactly at that
 * moment through a store wrapper.
 */
class BackupVersusCollectorTest {

  static final int CHUNK = 64 * 1024;

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  static BackupOptions options() {
    return BackupOptions.defaults().withChunkSize(CHUNK);
  }

  Snapshot backup(BlobStoreManager through) {
    return new BackupEngine(through, options(), new Progress()).backup(source, "ns/pvc/").index();
  }

  /** The store, with {@code event} run once, before the backup's first upload of a pack. */
  BlobStoreManager beforeFirstPackPut(Runnable event) {
    AtomicBoolean done = new AtomicBoolean();
    return new DelegatingStore(store) {
      @Override
      public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
        if (key.startsWith(StoreLayout.PACKS) && done.compareAndSet(false, true)) {
          event.run();
        }
        super.put(key, data, length, sha256, metadata);
      }
    };
  }

  void assertRestorable(Snapshot s) throws IOException {
    assertThat(new SnapshotVerifier(store, 4).verify(s, true).problems()).isEmpty();
    Path target = tmp.resolve("restored-" + s.snapshotId());
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(s, target);
    Trees.assertSameTree(source, target);
  }

  @Test
  void aBaseForgottenDuringTheBackupIsStillProtectedByItsTombstone() throws IOException {
    Trees.write(source.resolve("kept.sst"), Trees.random(1, 200_000));
    Snapshot base = backup(store);
    Trees.write(source.resolve("new.sst"), Trees.random(2, 1_000));

    Snapshot next =
        backup(beforeFirstPackPut(() -> new SnapshotCatalog(store).forget(base.snapshotId())));

    assertThat(next.previousSnapshotId()).isEqualTo(base.snapshotId());
    assertThat(store.stat(StoreLayout.tombstoneKey("ns/pvc/", base.snapshotId()), null))
        .isPresent();
    assertRestorable(next);
  }

  @Test
  void aBaseForgottenAndCollectedDuringTheBackupFailsItAndCommitsNothing() throws IOException {
    Trees.write(source.resolve("kept.sst"), Trees.random(1, 200_000));
    Snapshot base = backup(store);
    Trees.write(source.resolve("new.sst"), Trees.random(2, 1_000));
    Runnable forgetAndCollect =
        () -> store.delete(new SnapshotCatalog(store).forget(base.snapshotId()), null);

    assertThatThrownBy(() -> backup(beforeFirstPackPut(forgetAndCollect)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "snapshot " + base.snapshotId() + ", which this backup is based on, no longer exists")
        .hasMessageContaining("nothing was committed");
    assertThat(new SnapshotCatalog(store).entries(null)).isEmpty();
  }

  /**
   * An old pack no snapshot references, holding {@code content}'s blobs, as a forgotten (or another
   * source's, or a failed) backup leaves: another source backs it up, its snapshot is forgotten and
   * its tombstone collected, and the pack is two hours old. Returns the pack's key.
   */
  String oldUnreferencedPack(byte[] content) throws IOException {
    Path other = Files.createDirectories(tmp.resolve("other"));
    Trees.write(other.resolve("f.sst"), content);
    Snapshot s =
        new BackupEngine(store, options(), new Progress()).backup(other, "ns/other/").index();
    store.delete(new SnapshotCatalog(store).forget(s.snapshotId()), null);
    String pack = Trees.packKeyOf(store, Trees.tree(store, s).file("f.sst").blobs().get(0).id());
    for (var p : Trees.packs(store)) {
      Files.setLastModifiedTime(
          store.root().resolve(p.key()), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    }
    return pack;
  }

  /** The store, where a collector deletes {@code key} around the backup's removeTTL of it. */
  BlobStoreManager collectingAround(String key, boolean beforeRefresh, Runnable alsoThen) {
    return new DelegatingStore(store) {
      @Override
      public void removeTTL(String k, Metadata metadata) {
        if (k.equals(key) && beforeRefresh) {
          store.delete(k, metadata);
        }
        super.removeTTL(k, metadata);
        if (k.equals(key) && !beforeRefresh) {
          store.delete(k, metadata);
          alsoThen.run();
        }
      }
    };
  }

  @Test
  void aReusedPackCollectedJustAfterItsRefreshIsStoredAgainBeforeTheCommit() throws IOException {
    byte[] content = Trees.random(3, 100_000);
    Trees.write(source.resolve("f.sst"), content);
    String key = oldUnreferencedPack(content);

    Snapshot s = backup(collectingAround(key, false, () -> {}));

    assertThat(store.stat(key, null)).as("the collector did delete the pack").isEmpty();
    assertThat(s.stats().uploadedBytes())
        .as("read again from the source and stored")
        .isEqualTo(100_000);
    assertRestorable(s);
  }

  /**
   * A collector's delete already in flight lands just after the commit: the backup looks once more
   * after its commit and stores the lost blobs again. It did so after closing its uploads, so the
   * new pack was refused (RejectedExecutionException from the upload pool, seen once in
   * GcConcurrencyTest under load).
   */
  @Test
  void aReusedPackCollectedJustAfterTheCommitIsStoredAgain() throws IOException {
    byte[] content = Trees.random(3, 100_000);
    Trees.write(source.resolve("f.sst"), content);
    String key = oldUnreferencedPack(content);
    BlobStoreManager collectingAfterCommit =
        new DelegatingStore(store) {
          @Override
          public void put(String k, byte[] data, int length, byte[] sha256, Metadata metadata) {
            super.put(k, data, length, sha256, metadata);
            if (k.startsWith(StoreLayout.SNAPSHOTS) && k.endsWith(StoreLayout.INDEX_SUFFIX)) {
              store.delete(key, metadata);
            }
          }
        };

    Snapshot s = backup(collectingAfterCommit);

    assertThat(store.stat(key, null)).as("the collector did delete the pack").isEmpty();
    assertRestorable(s);
  }

  @Test
  void aReusedPackCollectedJustBeforeItsRefreshIsUploaded() throws IOException {
    byte[] content = Trees.random(3, 100_000);
    Trees.write(source.resolve("f.sst"), content);
    String key = oldUnreferencedPack(content);

    Snapshot s = backup(collectingAround(key, true, () -> {}));

    assertThat(store.stat(key, null)).isEmpty();
    assertThat(s.stats().uploadedBytes()).isEqualTo(100_000);
    assertRestorable(s);
  }

  @Test
  void aPackRefreshedInTimeIsReusedWithoutUploading() throws IOException {
    byte[] content = Trees.random(3, 100_000);
    Trees.write(source.resolve("f.sst"), content);
    String key = oldUnreferencedPack(content);
    Instant before = store.stat(key, null).orElseThrow().lastModified();

    Snapshot s = backup(store);

    assertThat(s.stats().uploadedBytes()).isZero();
    assertThat(store.stat(key, null).orElseThrow().lastModified())
        .as("its age restarted")
        .isAfter(before.plus(Duration.ofHours(1)));
    assertRestorable(s);
  }

  /** Replaces f.sst whole with other bytes, as RocksDB writes files. */
  Runnable replace(Path file, long seed) {
    return () -> {
      try {
        Path next = Trees.write(tmp.resolve("f.sst.next"), Trees.random(seed, 100_000));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  @Test
  void aFileReplacedWhileItIsReadIsReadAgainAndTheSnapshotHoldsItsNewContent() throws IOException {
    byte[] content = Trees.random(3, 100_000);
    Path file = Trees.write(source.resolve("f.sst"), content);
    String key = oldUnreferencedPack(content);

    Snapshot s = backup(collectingAround(key, false, replace(file, 4)));

    assertThat(Trees.tree(store, s).file("f.sst").isChanged()).isFalse();
    assertThat(new SnapshotVerifier(store, 4).verify(s, true).problems()).isEmpty();
    Path target = tmp.resolve("restored");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(s, target);
    // The file as it is now (the directory's own mtime moved with the rename, after the scan saw
    // it).
    assertThat(Trees.describe(target).get("f.sst")).isEqualTo(Trees.describe(source).get("f.sst"));
  }

  @Test
  void aCollectedPackWhoseFileChangedAfterItWasReadFailsTheBackup() throws IOException {
    byte[] content = Trees.random(3, 100_000);
    Path file = Trees.write(source.resolve("f.sst"), content);
    String key = oldUnreferencedPack(content);
    AtomicBoolean refreshedAndCollected = new AtomicBoolean();
    // The collector deletes the pack right after the backup refreshed it; the file changes after it
    // was read whole, just
    // before the backup looks at the pack again: the bytes to store again are no longer in the
    // source.
    BlobStoreManager racing =
        new DelegatingStore(store) {
          @Override
          public void removeTTL(String k, Metadata metadata) {
            super.removeTTL(k, metadata);
            if (k.equals(key)) {
              store.delete(k, metadata);
              refreshedAndCollected.set(true);
            }
          }

          @Override
          public java.util.Optional<dev.strata.engine.store.ObjectInfo> stat(
              String k, Metadata metadata) {
            if (k.equals(key) && refreshedAndCollected.getAndSet(false)) {
              replace(file, 4).run();
            }
            return super.stat(k, metadata);
          }
        };

    assertThatThrownBy(() -> backup(racing))
        .hasMessageContaining("the source no longer holds them")
        .hasMessageContaining("nothing was committed")
        .satisfies(
            e ->
                assertThat(RunErrors.causeOf(e))
                    .isEqualTo(dev.strata.engine.report.RunError.Cause.FILE_CHANGED));
    assertThat(new SnapshotCatalog(store).entries(null)).isEmpty();
  }
}
