package dev.strata.operator.catalog;

import static dev.strata.operator.catalog.CatalogFixtures.listing;
import static dev.strata.operator.catalog.CatalogFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.CatalogSpec;
import dev.strata.api.v1alpha1.CatalogStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a store's bucket is read. */
class CatalogSyncTest {

  static SnapshotStore read(CatalogSpec spec, String at, String handled) {
    SnapshotStore st = store("demo", spec);
    st.setStatus(
        new SnapshotStoreStatus(
            null, 1L, null, null, new CatalogStatus(at, handled, 1L, 0L, 0L, "x"), null));
    return st;
  }

  @Test
  void everyIntervalWhenAskedWhenRequestedAtChangesAndWhenTheOperatorHasNoListing() {
    Instant now = Instant.parse("2026-11-27T12:05:00Z");
    Optional<Listing> have = Optional.of(listing());
    assertThat(CatalogSync.dueIn(read(null, "2026-11-27T12:00:00Z", null), have, false, now))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(CatalogSync.dueIn(read(null, "2026-11-27T11:50:00Z", null), have, false, now))
        .isZero();
    assertThat(
            CatalogSync.dueIn(
                read(new CatalogSpec(true, "1h", null, null), "2026-11-27T12:00:00Z", null),
                have,
                false,
                now))
        .isEqualTo(Duration.ofMinutes(55));
    assertThat(CatalogSync.dueIn(read(null, "2026-11-27T12:00:00Z", null), have, true, now))
        .as("a restore asked")
        .isZero();
    assertThat(
            CatalogSync.dueIn(
                read(null, "2026-11-27T12:00:00Z", null), Optional.empty(), false, now))
        .as("restarted operator")
        .isZero();
    CatalogSpec bumped = new CatalogSpec(null, null, null, "2026-11-27T12:04:00Z");
    assertThat(
            CatalogSync.dueIn(
                read(bumped, "2026-11-27T12:00:00Z", "2026-11-27T09:00:00Z"), have, false, now))
        .isZero();
    assertThat(
            CatalogSync.dueIn(
                read(bumped, "2026-11-27T12:00:00Z", "2026-11-27T12:04:00Z"), have, false, now))
        .isEqualTo(Duration.ofMinutes(5));
  }
}
