package dev.strata.operator.restore;

import static dev.strata.operator.restore.RestoreDeciderTest.snap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StoreSnapshotRef;
import dev.strata.operator.Labels;
import dev.strata.operator.catalog.CatalogFixtures;
import dev.strata.operator.catalog.Listing;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which snapshot a StateRestore's source means. */
class RestoreResolverTest {

  static RestoreResolver.Resolution resolve(RestoreSource source, List<StateSnapshot> snapshots) {
    return RestoreResolver.resolve(
        RestoreDeciderTest.restore(source, new RestoreTarget("t", null, null), null),
        snapshots,
        RestoreDeciderTest.CLUSTER,
        Optional.empty());
  }

  static StateSnapshot scheduled(StateSnapshot s, String schedule, String at) {
    s.getMetadata().setLabels(new HashMap<>(java.util.Map.of(Labels.SCHEDULE, schedule)));
    s.getMetadata().setAnnotations(new HashMap<>(java.util.Map.of(Labels.SCHEDULED_TIME, at)));
    return s;
  }

  @Test
  void aNamedSnapshotMustExistAndHaveSucceeded() {
    List<StateSnapshot> snaps =
        List.of(
            snap("done", "data", "id-done", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded),
            snap("busy", "data", null, "2026-11-26T01:00:00Z", SnapshotPhase.Running),
            snap("broken", "data", null, "2026-11-26T02:00:00Z", SnapshotPhase.Failed));
    assertThat(resolve(new RestoreSource("done", null, null, null), snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().id()).isEqualTo("id-done"));
    assertThat(resolve(new RestoreSource("busy", null, null, null), snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.NotYet.class,
            r -> assertThat(r.reason()).isEqualTo("SnapshotNotReady"));
    assertThat(resolve(new RestoreSource("broken", null, null, null), snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            r -> assertThat(r.reason()).isEqualTo("SnapshotFailed"));
    assertThat(resolve(new RestoreSource("gone", null, null, null), snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            r -> {
              assertThat(r.reason()).isEqualTo("SnapshotNotFound");
              assertThat(r.message())
                  .isEqualTo("StateSnapshot gone does not exist in namespace ns");
            });
  }

  @Test
  void latestOfASourceComparesWholeIdentitiesSoData1IsNotData() {
    List<StateSnapshot> snaps =
        List.of(
            snap("data-old", "data", "id-1", "2026-11-25T00:00:00Z", SnapshotPhase.Succeeded),
            snap("data-new", "data", "id-2", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded),
            snap("data1-newest", "data1", "id-3", "2026-11-27T00:00:00Z", SnapshotPhase.Succeeded),
            snap("data-failed", "data", null, "2026-11-28T00:00:00Z", SnapshotPhase.Failed));
    assertThat(
            resolve(new RestoreSource(null, null, new SnapshotSource("data", null), null), snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().snapshotName()).isEqualTo("data-new"));
    assertThat(
            resolve(
                new RestoreSource(
                    null, null, new SnapshotSource("data", null), "2026-11-25T12:00:00Z"),
                snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().snapshotName()).isEqualTo("data-old"));
    assertThat(
            resolve(
                new RestoreSource(
                    null, null, new SnapshotSource("data", null), "2026-11-24T00:00:00Z"),
                snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            r -> {
              assertThat(r.reason()).isEqualTo("NoSnapshot");
              assertThat(r.message()).contains("taken at or before 2026-11-24T00:00:00Z");
            });
  }

  @Test
  void latestOfAScheduleCountsByScheduledTime() {
    List<StateSnapshot> snaps =
        List.of(
            scheduled(
                snap("nightly-a", "data", "id-a", "2026-11-27T00:00:00Z", SnapshotPhase.Succeeded),
                "nightly",
                "2026-11-25T03:00:00Z"),
            scheduled(
                snap("nightly-b", "data", "id-b", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded),
                "nightly",
                "2026-11-26T03:00:00Z"),
            scheduled(
                snap("hourly-c", "data", "id-c", "2026-11-28T00:00:00Z", SnapshotPhase.Succeeded),
                "hourly",
                "2026-11-28T03:00:00Z"));
    // Created later, but scheduled earlier: the scheduled time decides.
    assertThat(resolve(new RestoreSource(null, "nightly", null, null), snaps))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> {
              assertThat(r.snapshot().snapshotName()).isEqualTo("nightly-b");
              assertThat(r.snapshot().takenAt()).isEqualTo("2026-11-26T03:00:00Z");
            });
    assertThat(resolve(new RestoreSource(null, "weekly", null, null), snaps))
        .isInstanceOf(RestoreResolver.Impossible.class);
  }

  static RestoreResolver.Resolution fromStore(
      StoreSnapshotRef ref, String asOf, Optional<Listing> catalog) {
    StateRestore r =
        RestoreDeciderTest.restore(
            new RestoreSource(null, null, null, asOf, ref),
            new RestoreTarget("t", null, null),
            null);
    r.getMetadata().setCreationTimestamp("2026-11-27T11:00:00Z");
    r.setSpec(
        new StateRestoreSpec(
            r.getSpec().source(),
            new LocalObjectRef("minio"),
            r.getSpec().target(),
            null,
            null,
            null,
            null,
            null,
            null));
    return RestoreResolver.resolve(r, List.of(), RestoreDeciderTest.CLUSTER, catalog);
  }

  static final Listing BUCKET =
      CatalogFixtures.listing(
          CatalogFixtures.entry(
              "20261125T020000.000Z-aaaaaa", "ns/data/rocksdb", null, java.util.Map.of()),
          CatalogFixtures.entry(
              "20261126T020000.000Z-bbbbbb", "c1:ns/data/rocksdb", null, java.util.Map.of()),
          CatalogFixtures.entry(
              "20261126T020000.000Z-cccccc", "lost:demo/data/rocksdb", null, java.util.Map.of()),
          CatalogFixtures.entry(
              "20261126T020000.000Z-dddddd", "c1:ns/data1/rocksdb", null, java.util.Map.of()));

  @Test
  void fromStoreWaitsForACatalogReadAfterTheRestoreWasMade() {
    assertThat(
            fromStore(
                new StoreSnapshotRef("20261126T020000.000Z-bbbbbb", null, null, null, null),
                null,
                Optional.empty()))
        .isInstanceOfSatisfying(
            RestoreResolver.NotYet.class,
            n -> {
              assertThat(n.reason()).isEqualTo("CatalogNotRead");
              assertThat(n.needsCatalog()).isTrue();
            });
    Listing stale =
        new Listing(
            BUCKET.location(),
            java.time.Instant.parse("2026-11-27T10:00:00Z"),
            BUCKET.snapshots(),
            List.of());
    assertThat(
            fromStore(
                new StoreSnapshotRef("20261126T020000.000Z-bbbbbb", null, null, null, null),
                null,
                Optional.of(stale)))
        .isInstanceOf(RestoreResolver.NotYet.class);
  }

  @Test
  void fromStoreByIdIsThatSnapshotAndItsSourceFieldsMustMatchIt() {
    assertThat(
            fromStore(
                new StoreSnapshotRef("20261126T020000.000Z-cccccc", null, null, null, null),
                null,
                Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> {
              assertThat(r.snapshot().sourceId()).isEqualTo("lost:demo/data/rocksdb");
              assertThat(r.snapshot().storeRef()).isEqualTo("minio");
              assertThat(r.snapshot().snapshotName()).isNull();
              assertThat(r.snapshot().totalBytes()).isEqualTo(4096);
            });
    assertThat(
            fromStore(
                new StoreSnapshotRef(
                    "20261126T020000.000Z-cccccc", "lost", "demo", "data", "rocksdb"),
                null,
                Optional.of(BUCKET)))
        .isInstanceOf(RestoreResolver.Resolved.class);
    assertThat(
            fromStore(
                new StoreSnapshotRef("20261126T020000.000Z-cccccc", null, null, "data", "rocksdb"),
                null,
                Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            i -> assertThat(i.reason()).isEqualTo("SourceMismatch"));
    assertThat(
            fromStore(
                new StoreSnapshotRef("20261129T020000.000Z-eeeeee", null, null, null, null),
                null,
                Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            i -> assertThat(i.reason()).isEqualTo("SnapshotNotFound"));
  }

  @Test
  void
      fromStoreLatestIsOfThisClusterWithItsSnapshotsFromBeforeClustersWereNamedOrOfTheClusterItNames() {
    StoreSnapshotRef data = new StoreSnapshotRef(null, null, null, "data", "rocksdb");
    assertThat(fromStore(data, null, Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().id()).isEqualTo("20261126T020000.000Z-bbbbbb"));
    assertThat(fromStore(data, "2026-11-25T12:00:00Z", Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().id()).isEqualTo("20261125T020000.000Z-aaaaaa"));
    assertThat(
            fromStore(
                new StoreSnapshotRef(null, "lost", "demo", "data", "rocksdb"),
                null,
                Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().id()).isEqualTo("20261126T020000.000Z-cccccc"));
    assertThat(
            fromStore(
                new StoreSnapshotRef(null, null, "demo", "data", "rocksdb"),
                null,
                Optional.of(BUCKET)))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            i -> {
              assertThat(i.reason()).isEqualTo("NoSnapshot");
              assertThat(i.message())
                  .contains("no snapshot of c1:demo/data/rocksdb")
                  .endsWith("from cluster lost: set source.fromStore.cluster");
            });
  }

  @Test
  void
      latestOfAPvcCountsThisClustersSnapshotsFromBeforeClustersWereNamedAndPointsAtImportedOnesOfOtherClusters() {
    StateSnapshot legacy =
        snap("legacy", "data", "id-l", "2026-11-25T00:00:00Z", SnapshotPhase.Succeeded);
    assertThat(
            resolve(
                new RestoreSource(null, null, new SnapshotSource("data", null), null),
                List.of(legacy)))
        .isInstanceOfSatisfying(
            RestoreResolver.Resolved.class,
            r -> assertThat(r.snapshot().snapshotName()).isEqualTo("legacy"));
    StateSnapshot imported =
        snap("imported", "data", "id-i", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded);
    imported.setStatus(
        new dev.strata.api.v1alpha1.StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "lost:ns/data/",
            null,
            null,
            null,
            null,
            imported.getStatus().snapshotIndex(),
            null,
            null,
            null,
            1L,
            null));
    assertThat(
            resolve(
                new RestoreSource(null, null, new SnapshotSource("data", null), null),
                List.of(imported)))
        .isInstanceOfSatisfying(
            RestoreResolver.Impossible.class,
            i ->
                assertThat(i.message())
                    .contains("source c1:ns/data/ has no successful snapshot")
                    .contains("taken in cluster lost are here"));
  }
}
