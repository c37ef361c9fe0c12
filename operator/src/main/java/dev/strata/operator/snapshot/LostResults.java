package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.store.StoreLayout;
import dev.strata.operator.store.StoreClients;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

/**
 * The result of a backup whose Job vanished before the operator read it: the operator was down
 * longer than the Job's TTL (STRATA_JOB_TTL_SECONDS) while the runner finished, and the Job and its
 * pod, which held the result, expired. A runner that committed wrote its index with this
 * StateSnapshot's createdBy marker; that index is the result (without what only the runner's report
 * says: the changed files, the bytes stored). None found: the run failed (JobLost).
 */
public final class LostResults {

  private final StoreClients clients;

  public LostResults(StoreClients clients) {
    this.clients = clients;
  }

  /**
   * Reads the source's snapshots in the store (an error propagates: the run is looked at again).
   */
  public Optional<BackupReport> find(StateSnapshot s, SnapshotStore store) {
    String sourceId = SnapshotCleaner.sourceIdOf(s);
    SnapshotCatalog catalog = new SnapshotCatalog(clients.client(store));
    return SnapshotCleaner.madeBy(catalog, s, sourceId).stream()
        .max(Comparator.comparing(SnapshotSummary::snapshotId))
        .map(summary -> report(summary, sourceId, startTime(s)));
  }

  private static Instant startTime(StateSnapshot s) {
    return s.getStatus() == null || s.getStatus().startTime() == null
        ? null
        : Instant.parse(s.getStatus().startTime());
  }

  /** The report the runner would have written, from its committed index. Pure. */
  static BackupReport report(SnapshotSummary summary, String sourceId, Instant started) {
    SnapshotStats stats = summary.stats();
    String source =
        summary.metadata() != null && summary.metadata().sourceId() != null
            ? summary.metadata().sourceId()
            : sourceId;
    Instant created = summary.metadata() == null ? null : summary.metadata().createdAt();
    long ms =
        started == null || created == null || created.isBefore(started)
            ? 0
            : Duration.between(started, created).toMillis();
    return new BackupReport(
        summary.snapshotId(),
        source,
        summary.previousSnapshotId(),
        StoreLayout.indexKey(source, summary.snapshotId()),
        stats.files(),
        stats.directories(),
        stats.symlinks(),
        stats.totalBytes(),
        stats.uploadedBytes(),
        stats.reusedBytes(),
        ms,
        null,
        null,
        null,
        null);
  }
}
