package dev.strata.operator.catalog;

import static dev.strata.operator.catalog.CatalogFixtures.entry;
import static dev.strata.operator.catalog.CatalogFixtures.listing;
import static dev.strata.operator.catalog.CatalogFixtures.store;
import static dev.strata.operator.catalog.CatalogFixtures.taken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.CatalogSpec;
import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a store's catalog makes visible in its namespace, and what it leaves alone. */
class CatalogImportTest {

  static final String LOST = "20261126T020000.000Z-aaaaaa";
  final SnapshotStore store = store("demo", null);

  @Test
  void aSnapshotALostClusterLeftInTheBucketBecomesAnImportedRetainStateSnapshotWithItsLabels() {
    Listing l =
        listing(
            entry(
                LOST,
                "lost-cluster:demo/data-kafka-0/rocksdb",
                "statesnapshot/demo/nightly-20261126-0200/uid-in-a",
                Map.of(
                    "strata.dev/schedule",
                    "nightly",
                    "strata.dev/group",
                    "nightly-20261126-0200",
                    "strata.dev/retention-policy",
                    "keep",
                    "other.io/x",
                    "y")));
    CatalogImport.Plan plan = CatalogImport.plan(store, l, List.of(), Set.of());
    assertThat(plan.delete()).isEmpty();
    StateSnapshot s = plan.create().get(0);
    assertThat(s.getMetadata().getName()).isEqualTo("data-kafka-0-20261126t020000.000z-aaaaaa");
    assertThat(s.getMetadata().getNamespace()).isEqualTo("demo");
    assertThat(s.getSpec().snapshotId()).isEqualTo(LOST);
    assertThat(s.getSpec().deletionPolicy()).isEqualTo(DeletionPolicy.Retain);
    assertThat(s.getSpec().source().pvcName()).isEqualTo("data-kafka-0");
    assertThat(s.getSpec().source().path()).isEqualTo("rocksdb");
    assertThat(s.getSpec().storeRef().name()).isEqualTo("minio");
    assertThat(s.getSpec().ttl()).isNull();
    assertThat(s.getMetadata().getLabels())
        .containsEntry(Labels.IMPORTED, "true")
        .containsEntry(Labels.STORE, "minio")
        .containsEntry(Labels.SOURCE_CLUSTER, "lost-cluster")
        .containsEntry(Labels.SOURCE_NAMESPACE, "demo")
        .as("the group the index holds comes along")
        .containsEntry("strata.dev/group", "nightly-20261126-0200")
        .as("this cluster's schedule and retention are not the lost one's")
        .containsEntry(Labels.ORIGIN_SCHEDULE, "nightly")
        .doesNotContainKeys(Labels.SCHEDULE, Labels.RETENTION_POLICY, "other.io/x");
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry(Labels.TAKEN_AT, "2026-11-26T02:00:00Z")
        .containsEntry(Labels.CREATED_BY, "statesnapshot/demo/nightly-20261126-0200/uid-in-a");
    assertThat(s.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo("store-uid");
              assertThat(o.getBlockOwnerDeletion()).isFalse();
            });
    assertThat(CatalogImport.isImported(s)).isTrue();
    assertThat(plan.imported()).isEqualTo(1);
  }

  @Test
  void aSnapshotWithAStateSnapshotHereIsNotImportedEvenBeforeThatOneRecordsIt() {
    StateSnapshot recorded = taken("demo", "manual-1", "uid-1", LOST);
    StateSnapshot running = taken("demo", "manual-2", "uid-2", null);
    Listing l =
        listing(
            entry(LOST, "c1:demo/data/", "statesnapshot/demo/manual-1/uid-1", Map.of()),
            entry(
                "20261126T030000.000Z-bbbbbb",
                "c1:demo/data/",
                "statesnapshot/demo/manual-2/uid-2",
                Map.of()),
            entry(
                "20261126T040000.000Z-cccccc",
                "c1:demo/data/",
                "statesnapshot/demo/deleted-with-retain/uid-3",
                Map.of()));
    CatalogImport.Plan plan =
        CatalogImport.plan(store, l, List.of(recorded, running), Set.of("uid-1", "uid-2"));
    assertThat(plan.create())
        .extracting(s -> s.getSpec().snapshotId())
        .containsExactly("20261126T040000.000Z-cccccc");
  }

  @Test
  void onlyTheStoresNamespaceIsImportedUnlessTheCatalogNamesOthers() {
    Listing l =
        listing(
            entry(LOST, "a:demo/data/", null, Map.of()),
            entry("20261126T030000.000Z-bbbbbb", "a:other/data/", null, Map.of()),
            entry("20261126T040000.000Z-cccccc", "/var/lib/app", null, Map.of()));
    CatalogImport.Plan own = CatalogImport.plan(store, l, List.of(), Set.of());
    assertThat(own.create()).extracting(s -> s.getSpec().snapshotId()).containsExactly(LOST);
    assertThat(own.message()).contains("3 snapshots in the bucket").contains("1 taken of no PVC");

    SnapshotStore recovery = store("recovery", new CatalogSpec(true, null, List.of("*"), null));
    assertThat(CatalogImport.plan(recovery, l, List.of(), Set.of()).create())
        .extracting(s -> s.getMetadata().getLabels().get(Labels.SOURCE_NAMESPACE))
        .containsExactly("demo", "other");
  }

  @Test
  void anImportedStateSnapshotWhoseSnapshotLeftTheBucketGoesAndOthersStay() {
    CatalogImport.Plan first =
        CatalogImport.plan(
            store, listing(entry(LOST, "a:demo/data/", null, Map.of())), List.of(), Set.of());
    StateSnapshot imported = first.create().get(0);
    imported.getMetadata().setUid("imported-uid");
    List<StateSnapshot> here =
        new ArrayList<>(
            List.of(imported, taken("demo", "mine", "uid-1", "20261126T030000.000Z-bbbbbb")));

    CatalogImport.Plan again =
        CatalogImport.plan(
            store,
            listing(entry(LOST, "a:demo/data/", null, Map.of())),
            here,
            Set.of("imported-uid", "uid-1"));
    assertThat(again.create()).isEmpty();
    assertThat(again.delete()).isEmpty();
    assertThat(again.imported()).isEqualTo(1);

    CatalogImport.Plan gone =
        CatalogImport.plan(store, listing(), here, Set.of("imported-uid", "uid-1"));
    assertThat(gone.delete()).containsExactly(imported);
    assertThat(gone.message()).contains("1 gone from the bucket");
  }

  @Test
  void aLargeCatalogIsImportedInPartsAndALongPvcNameIsShortened() {
    List<Listing.Entry> many = new ArrayList<>();
    for (int i = 0; i < CatalogImport.MAX_CREATES + 5; i++) {
      many.add(
          entry(
              String.format("20261126T020000.%03dZ-%06x", i % 1000, i),
              "a:demo/data/",
              null,
              Map.of()));
    }
    CatalogImport.Plan plan =
        CatalogImport.plan(store, listing(many.toArray(Listing.Entry[]::new)), List.of(), Set.of());
    assertThat(plan.create()).hasSize(CatalogImport.MAX_CREATES);
    assertThat(plan.more()).isTrue();
    assertThat(plan.message()).contains("5 more to import");

    String longPvc = "p".repeat(240);
    String name = CatalogImport.name(longPvc, LOST);
    assertThat(name).hasSizeLessThanOrEqualTo(253).endsWith("-20261126t020000.000z-aaaaaa");
    assertThat(CatalogImport.name(longPvc + "x", LOST)).isNotEqualTo(name);
  }
}
