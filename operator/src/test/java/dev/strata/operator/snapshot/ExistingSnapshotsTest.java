package dev.strata.operator.snapshot;

import static dev.strata.operator.catalog.CatalogFixtures.entry;
import static dev.strata.operator.catalog.CatalogFixtures.listing;
import static dev.strata.operator.catalog.CatalogFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.operator.Conditions;
import dev.strata.operator.Labels;
import dev.strata.operator.catalog.CatalogFixtures;
import dev.strata.operator.catalog.Listing;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A StateSnapshot that stands for a snapshot already in the store: its status comes from the
 * store's catalog.
 */
class ExistingSnapshotsTest {

  static final String ID = "20261126T020000.000Z-aaaaaa";
  static final Instant NOW = Instant.parse("2026-11-27T12:00:05Z");

  static StateSnapshot existing(String pvc, String path, boolean imported, String ttl) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName("s")
            .withNamespace("demo")
            .withUid("u")
            .withGeneration(1L)
            .withCreationTimestamp("2026-11-27T11:00:00Z")
            .withLabels(imported ? Map.of(Labels.IMPORTED, "true") : Map.of())
            .build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, path),
            new LocalObjectRef("minio"),
            null,
            DeletionPolicy.Retain,
            null,
            null,
            null,
            ttl,
            ID));
    return s;
  }

  static ExistingSnapshots.Decision decide(StateSnapshot s, Optional<Listing> listing) {
    return ExistingSnapshots.decide(s, Optional.of(store("demo", null)), listing, NOW, "c1");
  }

  static String reason(StateSnapshotStatus st) {
    return Conditions.find(st.conditions(), Conditions.READY).orElseThrow().getReason();
  }

  @Test
  void foundInTheCatalogItSucceedsWithWhatItsIndexSaysAndNoRun() {
    Listing l = listing(entry(ID, "lost:demo/data/rocksdb", null, Map.of()));
    ExistingSnapshots.Decision d = decide(existing("data", "rocksdb", true, null), Optional.of(l));
    StateSnapshotStatus st = d.run().status();
    assertThat(st.phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(reason(st)).isEqualTo("Imported");
    assertThat(st.sourceId()).isEqualTo("lost:demo/data/rocksdb");
    assertThat(st.snapshotIndex().id()).isEqualTo(ID);
    assertThat(st.snapshotIndex().totalBytes()).isEqualTo(4096);
    assertThat(st.completionTime()).as("when it was taken").isEqualTo("2026-11-26T02:00:00Z");
    assertThat(st.jobName()).isNull();
    assertThat(st.message())
        .contains("imported from the bucket: snapshot " + ID + " of lost:demo/data/rocksdb");
    assertThat(d.run().create()).isEmpty();
    assertThat(d.needsCatalog()).isFalse();
  }

  @Test
  void withoutAFreshCatalogItWaitsAndAsksForOneThenFailsWhenTheSnapshotIsNotThere() {
    ExistingSnapshots.Decision none = decide(existing("data", null, false, null), Optional.empty());
    assertThat(none.run().status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(reason(none.run().status())).isEqualTo("CatalogNotRead");
    assertThat(none.needsCatalog()).isTrue();

    Listing old =
        new Listing("s3://b", Instant.parse("2026-11-27T10:00:00Z"), Map.of(), java.util.List.of());
    assertThat(decide(existing("data", null, false, null), Optional.of(old)).needsCatalog())
        .as("read before the object existed")
        .isTrue();

    ExistingSnapshots.Decision missing =
        decide(existing("data", null, false, null), Optional.of(listing()));
    assertThat(missing.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(missing.run().status())).isEqualTo("SnapshotNotFound");
    assertThat(missing.run().events())
        .extracting(e -> e.reason())
        .containsExactly("SnapshotNotFound");
  }

  @Test
  void aSnapshotOfAnotherPvcOrPathThanSpecSourceIsRefused() {
    Listing l = listing(entry(ID, "c1:demo/data/rocksdb", null, Map.of()));
    StateSnapshotStatus other =
        decide(existing("data-1", "rocksdb", false, null), Optional.of(l)).run().status();
    assertThat(reason(other)).isEqualTo("SourceMismatch");
    assertThat(other.message())
        .contains("was taken of c1:demo/data/rocksdb, not of PVC data-1 path rocksdb");
    assertThat(reason(decide(existing("data", null, false, null), Optional.of(l)).run().status()))
        .isEqualTo("SourceMismatch");
    assertThat(
            reason(decide(existing("data", "rocksdb", false, null), Optional.of(l)).run().status()))
        .isEqualTo("Found");
  }

  @Test
  void onceEndedItNeverChanges() {
    StateSnapshot s = existing("data", "rocksdb", true, null);
    s.setStatus(
        decide(s, Optional.of(listing(entry(ID, "c1:demo/data/rocksdb", null, Map.of()))))
            .run()
            .status());
    assertThat(decide(s, Optional.of(listing())).run().status()).isEqualTo(s.getStatus());
    assertThat(CatalogFixtures.READ).isBefore(NOW);
  }

  @Test
  void aTtlExpiresItThatLongAfterItsCreationOnceItsRunHasEnded() {
    StateSnapshot s = existing("data", null, false, "2h");
    assertThat(Expiry.expiresAt(s)).contains(Instant.parse("2026-11-27T13:00:00Z"));
    StateSnapshotStatus running =
        new StateSnapshotStatus(
            SnapshotPhase.Running, null, "j", null, null, null, null, null, null, null, 1L, null);
    StateSnapshotStatus done =
        Expiry.withExpiry(
            s,
            new StateSnapshotStatus(
                SnapshotPhase.Succeeded,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                1L,
                null));
    assertThat(done.expiresAt()).isEqualTo("2026-11-27T13:00:00Z");
    Instant later = Instant.parse("2026-11-27T13:00:00Z");
    assertThat(Expiry.due(s, done, later.minusSeconds(1))).isFalse();
    assertThat(Expiry.due(s, done, later)).isTrue();
    assertThat(Expiry.due(s, running, later.plusSeconds(3600)))
        .as("a run is not cut short")
        .isFalse();
    s.getMetadata().setDeletionTimestamp("2026-11-27T13:00:01Z");
    assertThat(Expiry.due(s, done, later)).as("deleted already").isFalse();
    assertThat(Expiry.expiresAt(existing("data", null, false, null))).isEmpty();
    assertThat(Expiry.withExpiry(existing("data", null, false, "1w2d"), done).expiresAt())
        .isEqualTo("2026-12-06T11:00:00Z");
  }
}
