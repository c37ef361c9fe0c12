package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forgetting a snapshot: it stops existing at once, and its index lives on as a tombstone. */
class ForgetTest {

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;
  SnapshotCatalog catalog;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
    catalog = new SnapshotCatalog(store);
  }

  Snapshot backup(long seed) throws IOException {
    Trees.write(source.resolve("f"), Trees.random(seed, 5_000));
    return new BackupEngine(store, BackupOptions.defaults(), new Progress())
        .backup(source, "ns/pvc/")
        .index();
  }

  @Test
  void aForgottenSnapshotNoLongerExistsAndItsIndexBecomesATombstone() throws IOException {
    Snapshot first = backup(1);
    Snapshot second = backup(2);
    String indexKey = StoreLayout.indexKey("ns/pvc/", second.snapshotId());
    byte[] indexBytes = store.get(indexKey, null);

    String tombstone = catalog.forget(second.snapshotId());

    assertThat(tombstone)
        .isEqualTo(StoreLayout.tombstoneKey("ns/pvc/", second.snapshotId()))
        .endsWith(".json.gz.forgotten");
    assertThat(store.get(tombstone, null)).isEqualTo(indexBytes);
    assertThat(store.stat(indexKey, null)).isEmpty();
    assertThat(catalog.entries(null))
        .extracting(SnapshotCatalog.Entry::snapshotId)
        .containsExactly(first.snapshotId());
    assertThat(catalog.summaries(null))
        .extracting(SnapshotSummary::snapshotId)
        .containsExactly(first.snapshotId());
    assertThat(catalog.latest("ns/pvc/").orElseThrow().snapshotId())
        .as("latest falls back")
        .isEqualTo(first.snapshotId());
    assertThatThrownBy(() -> catalog.load(second.snapshotId()))
        .isInstanceOf(SnapshotNotFoundException.class)
        .hasMessageContaining("snapshot " + second.snapshotId() + " does not exist");
    assertThatThrownBy(() -> catalog.forget(second.snapshotId()))
        .isInstanceOf(SnapshotNotFoundException.class);

    catalog.forget(first.snapshotId());
    assertThat(catalog.latest("ns/pvc/")).isEmpty();
    Snapshot third = backup(3);
    assertThat(third.previousSnapshotId()).as("a tombstone is never a base").isNull();
  }

  @Test
  void tombstoneKeysRoundTrip() {
    String index = StoreLayout.indexKey("ns/pvc/", "20261126T071913.042Z-a1b2c3");
    String tombstone = StoreLayout.tombstoneKeyOf(index);
    assertThat(StoreLayout.indexKeyOfTombstone(tombstone)).isEqualTo(index);
    assertThat(StoreLayout.forgottenSnapshotIdOf(tombstone))
        .isEqualTo("20261126T071913.042Z-a1b2c3");
    assertThat(StoreLayout.snapshotIdOf(tombstone)).as("a tombstone is not an index").isNull();
    assertThat(StoreLayout.indexKeyOfTombstone(index)).isNull();
    assertThat(StoreLayout.forgottenSnapshotIdOf("blobs/ab/x.json.gz.forgotten")).isNull();
    assertThatThrownBy(() -> StoreLayout.tombstoneKeyOf("blobs/ab/abc"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
