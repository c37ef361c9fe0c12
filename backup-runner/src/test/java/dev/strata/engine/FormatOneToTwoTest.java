package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.format.Repository;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store of format 1 (blob objects, gzip JSON indexes, no config) moves to format 2 with its next
 * backup: the config is written, new snapshots are packs, the old ones stay restorable and
 * verifiable, and garbage collection keeps their blobs until they are forgotten, then deletes them.
 */
class FormatOneToTwoTest {

  @TempDir Path tmp;

  @Test
  void aFormatOneStoreMovesToFormatTwoAndItsOldSnapshotsStayReadable() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.makeRichTree(source);
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    SnapshotIndex old = FormatOne.backup(store, source, "ns/pvc/", 64 * 1024, null);
    var oldTree = Trees.describe(source);
    assertThat(Repository.peekConfig(store)).isEmpty();

    Trees.write(source.resolve("big/new.sst"), Trees.random(9, 200_000));
    BackupResult next =
        new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "ns/pvc/");

    assertThat(Repository.peekConfig(store)).get().extracting(c -> c.formatVersion()).isEqualTo(2);
    assertThat(next.index().formatVersion()).isEqualTo(2);
    assertThat(next.index().previousSnapshotId()).isEqualTo(old.snapshotId());
    // Fixed-size chunks of format 1 are not content-defined chunks: the first backup in format 2
    // stores everything once.
    assertThat(next.index().stats().uploadedBytes()).isEqualTo(next.index().stats().totalBytes());
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    assertThat(catalog.summaries(null)).hasSize(2);
    Snapshot oldAgain = catalog.load(old.snapshotId());
    assertThat(oldAgain.formatVersion()).isEqualTo(1);
    SnapshotVerifier verifier = new SnapshotVerifier(store, 2);
    assertThat(verifier.verify(oldAgain, true).problems()).isEmpty();
    assertThat(verifier.verify(next.index(), true).problems()).isEmpty();
    Path restoredOld = tmp.resolve("old");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(oldAgain, restoredOld);
    assertThat(Trees.describe(restoredOld)).isEqualTo(oldTree);
    // A sync from the old snapshot to the new one, across formats.
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress())
        .restore(next.index(), restoredOld);
    Trees.assertSameTree(source, restoredOld);
    // A second backup in format 2 reuses the first's blobs.
    BackupResult third =
        new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "ns/pvc/");
    assertThat(third.index().stats().uploadedBytes()).isZero();

    // Garbage collection keeps the format-1 blobs while their snapshot lives...
    age(store, Duration.ofHours(8));
    GcReport kept = new GarbageCollector(store, GcOptions.defaults()).collect();
    assertThat(kept.blobsDeleted()).isZero();
    assertThat(blobObjects(store)).isNotEmpty();
    // ...and deletes them once it is forgotten and its tombstone has expired.
    String tombstone = catalog.forget(old.snapshotId());
    Files.setLastModifiedTime(
        store.root().resolve(tombstone), FileTime.from(Instant.now().minus(Duration.ofHours(8))));
    GcReport gone = new GarbageCollector(store, GcOptions.defaults()).collect();
    assertThat(gone.tombstonesDeleted()).isEqualTo(1);
    assertThat(blobObjects(store)).isEmpty();
    assertThat(verifier.verify(third.index(), true).problems()).isEmpty();
  }

  @Test
  void aFormatOneStoreThatMovesToFormatTwoEncryptedKeepsItsOldSnapshotsReadable()
      throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.makeRichTree(source);
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    SnapshotIndex old = FormatOne.backup(store, source, "ns/pvc/", 64 * 1024, null);
    // Chunks of zeros: format 1 names them by SHA-256, which the restore must still recognise, and
    // leave as holes.
    Path zeros = Files.createDirectories(tmp.resolve("zeros"));
    Trees.write(zeros.resolve("zeros.bin"), new byte[3 * 64 * 1024]);
    SnapshotIndex zeroSnapshot = FormatOne.backup(store, zeros, "ns/zeros/", 64 * 1024, null);
    var oldTree = Trees.describe(source);
    dev.strata.engine.format.UserKey key =
        dev.strata.engine.format.UserKey.of("moved with a key", "test");

    Trees.write(source.resolve("big/new.sst"), Trees.random(11, 300_000));
    BackupResult next =
        new BackupEngine(store, BackupOptions.defaults().withKey(key), new Progress())
            .backup(source, "ns/pvc/");

    assertThat(Repository.peekConfig(store)).get().extracting(c -> c.encrypted()).isEqualTo(true);
    Repository repo = Repository.open(store, key);
    Snapshot oldAgain = new SnapshotCatalog(repo).load(old.snapshotId());
    SnapshotVerifier verifier = new SnapshotVerifier(repo, 2);
    assertThat(verifier.verify(oldAgain, true).problems()).isEmpty();
    assertThat(verifier.verify(next.index(), true).problems()).isEmpty();
    Path restoredOld = tmp.resolve("old");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY).withKey(key), new Progress())
        .restore(oldAgain, restoredOld);
    assertThat(Trees.describe(restoredOld)).isEqualTo(oldTree);
    // Back to the old snapshot from the new one's files: what a local file already holds is taken
    // from it.
    Path restoredNew = tmp.resolve("new");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY).withKey(key), new Progress())
        .restore(next.index(), restoredNew);
    RestoreResult back =
        new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC).withKey(key), new Progress())
            .restore(oldAgain, restoredNew);
    assertThat(Trees.describe(restoredNew)).isEqualTo(oldTree);
    assertThat(back.reusedBytes()).as("local chunks checked by their format-1 ids").isPositive();
    Path restoredZeros = tmp.resolve("restored-zeros");
    RestoreResult holes =
        new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY).withKey(key), new Progress())
            .restore(new SnapshotCatalog(repo).load(zeroSnapshot.snapshotId()), restoredZeros);
    assertThat(Files.readAllBytes(restoredZeros.resolve("zeros.bin")))
        .isEqualTo(new byte[3 * 64 * 1024]);
    assertThat(holes.downloadedBytes()).as("chunks of zeros are holes, not downloads").isZero();
  }

  static List<String> blobObjects(LocalBlobStoreManager store) {
    List<String> out = new ArrayList<>();
    store.list(StoreLayout.BLOBS, o -> out.add(o.key()), null);
    return out;
  }

  static void age(LocalBlobStoreManager store, Duration age) throws IOException {
    List<String> keys = new ArrayList<>();
    store.list("", o -> keys.add(o.key()), null);
    for (String k : keys) {
      Files.setLastModifiedTime(store.root().resolve(k), FileTime.from(Instant.now().minus(age)));
    }
  }
}
