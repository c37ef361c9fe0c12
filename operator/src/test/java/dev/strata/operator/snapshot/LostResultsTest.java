package dev.strata.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.index.SnapshotMetadata;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.store.StoreLayout;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LostResultsTest {

  @Test
  void theCommittedIndexIsTheReport() {
    Instant started = Instant.parse("2026-11-26T00:00:00Z");
    SnapshotSummary summary =
        new SnapshotSummary(
            "20261126T000042.000Z-abcdef",
            new SnapshotMetadata(
                "c1/ns/data/", "minio", started.plusSeconds(42), "statesnapshot/ns/snap/uid-1"),
            "20261125T000000.000Z-000000",
            new SnapshotStats(5, 2, 1, 5000, 1000, 4000));
    BackupReport r = LostResults.report(summary, "legacy/", started);
    assertThat(r.snapshotId()).isEqualTo("20261126T000042.000Z-abcdef");
    assertThat(r.sourceId()).isEqualTo("c1/ns/data/");
    assertThat(r.previousSnapshotId()).isEqualTo("20261125T000000.000Z-000000");
    assertThat(r.indexKey())
        .isEqualTo(StoreLayout.indexKey("c1/ns/data/", "20261126T000042.000Z-abcdef"));
    assertThat(r.files()).isEqualTo(5);
    assertThat(r.directories()).isEqualTo(2);
    assertThat(r.symlinks()).isEqualTo(1);
    assertThat(r.totalBytes()).isEqualTo(5000);
    assertThat(r.uploadedBytes()).isEqualTo(1000);
    assertThat(r.reusedBytes()).isEqualTo(4000);
    assertThat(r.durationMs()).isEqualTo(42_000);
  }
}
