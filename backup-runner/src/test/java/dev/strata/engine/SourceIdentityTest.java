package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.index.SnapshotMetadata;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that changes identity (Kubernetes source ids gained a cluster: {@code
 * namespace/pvc/path} became {@code cluster:namespace/pvc/path}) keeps diffing against its
 * snapshots under the former identity until it has one of its own, whether they are of store format
 * 1 or 2; labels travel in the snapshot; one listed snapshot's summary is read alone, of either
 * format.
 */
class SourceIdentityTest {

  static final String LEGACY = "team-a/data-0/rocksdb";
  static final String CURRENT = "cluster-a:team-a/data-0/rocksdb";

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
    Trees.write(source.resolve("000001.sst"), Trees.random(1, 300_000));
    Trees.write(source.resolve("MANIFEST"), Trees.random(2, 2_000));
  }

  BackupResult backup(String sourceId, List<String> former) {
    return new BackupEngine(store, BackupOptions.defaults(), new Progress())
        .withFormerSourceIds(former)
        .backup(source, sourceId);
  }

  @Test
  void
      theFirstSnapshotUnderANewIdentityIsDiffedAgainstTheFormerOnesLatestAndLaterOnesAgainstTheirOwn()
          throws IOException {
    Snapshot legacy = backup(LEGACY, List.of()).index();

    Progress progress = new Progress();
    BackupResult first =
        new BackupEngine(store, BackupOptions.defaults(), progress)
            .withFormerSourceIds(List.of(LEGACY))
            .backup(source, CURRENT);
    assertThat(first.index().previousSnapshotId()).isEqualTo(legacy.snapshotId());
    assertThat(first.index().metadata().sourceId()).isEqualTo(CURRENT);
    assertThat(first.indexKey())
        .isEqualTo(StoreLayout.indexKey(CURRENT, first.index().snapshotId()));
    assertThat(first.index().stats().uploadedBytes()).as("nothing new to upload").isZero();
    assertThat(first.index().stats().reusedBytes()).isEqualTo(302_000);

    Trees.write(source.resolve("000002.sst"), Trees.random(3, 1_000));
    Snapshot second = backup(CURRENT, List.of(LEGACY)).index();
    assertThat(second.previousSnapshotId())
        .as("its own latest now")
        .isEqualTo(first.index().snapshotId());
    assertThat(second.stats().uploadedBytes()).isEqualTo(1_000);

    SnapshotCatalog catalog = new SnapshotCatalog(store);
    assertThat(catalog.latest(CURRENT, List.of(LEGACY)).orElseThrow().snapshotId())
        .isEqualTo(second.snapshotId());
    assertThat(catalog.latest(LEGACY).orElseThrow().snapshotId())
        .as("the former identity keeps its own")
        .isEqualTo(legacy.snapshotId());
  }

  @Test
  void withoutAFormerIdentityAnotherClustersSnapshotsOfTheSameVolumeAreNeverTheBase() {
    backup("cluster-a:team-a/data-0/rocksdb", List.of());
    Snapshot b = backup("cluster-b:team-a/data-0/rocksdb", List.of(LEGACY)).index();
    assertThat(b.previousSnapshotId()).isNull();
    assertThat(
            new SnapshotCatalog(store)
                .latest("cluster-b:team-a/data-0/rocksdb", List.of(LEGACY))
                .orElseThrow()
                .snapshotId())
        .isEqualTo(b.snapshotId());
  }

  @Test
  void aBaseOfAFormerIdentityThatIsForgottenMeanwhileStillProtectsItsBlobsThroughItsTombstone() {
    Snapshot legacy = backup(LEGACY, List.of()).index();
    new SnapshotCatalog(store).forget(legacy.snapshotId());
    // forgotten before: no base at all
    assertThat(backup(CURRENT, List.of(LEGACY)).index().previousSnapshotId()).isNull();
  }

  @Test
  void labelsAreRecordedInTheIndexAndReadBackWithItsSummaryAlone() throws IOException {
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults(), new Progress())
            .withLabels(
                Map.of(
                    "strata.dev/group", "nightly-20261126-0200", "strata.dev/schedule", "nightly"))
            .backup(source, CURRENT)
            .index();
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    SnapshotCatalog.Entry entry = catalog.entries(null).get(0);
    SnapshotSummary summary = catalog.summary(entry).orElseThrow();
    assertThat(summary.snapshotId()).isEqualTo(s.snapshotId());
    assertThat(summary.metadata().labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("strata.dev/group", "nightly-20261126-0200", "strata.dev/schedule", "nightly"));
    assertThat(catalog.load(s.snapshotId()).metadata().labels())
        .containsEntry("strata.dev/schedule", "nightly");

    catalog.forget(s.snapshotId());
    assertThat(catalog.summary(entry)).as("forgotten since it was listed").isEmpty();
  }

  @Test
  void aSnapshotWithoutLabelsReadsWithNoneAndIsWrittenWithoutTheField() throws IOException {
    SnapshotMetadata none =
        new SnapshotMetadata(CURRENT, "file:///s", java.time.Instant.EPOCH, null);
    assertThat(none.labels()).isEmpty();
    Snapshot snapshot = backup(CURRENT, List.of()).index();
    assertThat(snapshot.formatVersion()).isEqualTo(2);
    assertThat(IndexCodec.mapper().writeValueAsString(snapshot.record()))
        .contains("\"sourceId\"")
        .doesNotContain("labels");
    assertThat(snapshot.metadata().labels()).isEmpty();
    SnapshotIndex formatOne = FormatOne.backup(store, source, LEGACY, 1 << 20, null);
    String json =
        new String(gunzip(IndexCodec.encode(formatOne)), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("labels");
    assertThat(IndexCodec.decodeSummary(IndexCodec.encode(formatOne), "x").metadata().labels())
        .isEmpty();
  }

  @Test
  void
      aFormerIdentitysLatestOfStoreFormat1IsTheParentAndTheLatestUntilTheSourceHasASnapshotOfItsOwn()
          throws IOException {
    // Before the upgrade: format 1, under the id without the cluster.
    SnapshotIndex legacy = FormatOne.backup(store, source, LEGACY, 1 << 20, null);
    SnapshotCatalog catalog = new SnapshotCatalog(store);
    assertThat(catalog.latest(CURRENT, List.of(LEGACY)).orElseThrow().snapshotId())
        .as("restore --latest finds it")
        .isEqualTo(legacy.snapshotId());
    SnapshotCatalog.Entry entry = catalog.entries(LEGACY).get(0);
    assertThat(catalog.summary(entry).orElseThrow().metadata().sourceId()).isEqualTo(LEGACY);

    // The first backup after it: format 2, under the new id, its parent the format-1 snapshot
    // (whose fixed chunks a
    // format-2 backup cannot reuse: it reads and stores everything once).
    BackupResult first = backup(CURRENT, List.of(LEGACY));
    assertThat(first.index().formatVersion()).isEqualTo(2);
    assertThat(first.index().previousSnapshotId()).isEqualTo(legacy.snapshotId());
    assertThat(catalog.latest(CURRENT, List.of(LEGACY)).orElseThrow().snapshotId())
        .isEqualTo(first.index().snapshotId());
    assertThat(backup(CURRENT, List.of(LEGACY)).index().previousSnapshotId())
        .isEqualTo(first.index().snapshotId());
  }

  static byte[] gunzip(byte[] gz) {
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
