package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotIndexSummary;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.Sizes;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.operator.catalog.Listing;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.runner.RecordedStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A StateSnapshot's status at each step of its run, built from the one recorded so far. */
final class SnapshotStatuses extends RecordedStatus<StateSnapshotStatus, BackupReport> {

  private static final TransferProgress NONE = new TransferProgress(0L, 0L, 0L, 0L, 0L);
  private static final Fields<StateSnapshotStatus> FIELDS =
      new Fields<>(StateSnapshotStatus::phase, StateSnapshotStatus::conditions, StateSnapshotStatus::jobName, StateSnapshotStatus::startTime);

  private final StateSnapshot snapshot;
  private final String cluster;

  /** @param cluster this cluster's id, in the source id of the snapshots it takes */
  SnapshotStatuses(StateSnapshot snapshot, Instant now, String cluster) {
    super(snapshot.getStatus(), now, snapshot.getMetadata().getGeneration(), FIELDS);
    this.snapshot = snapshot;
    this.cluster = cluster;
  }

  @Override
  public String kind() {
    return "StateSnapshot";
  }

  /** The id the runner is given; what it reports wins (a Job an operator made before clusters were named used another). */
  private String sourceId() {
    return snapshot.getSpec().source().sourceId(cluster, snapshot.getMetadata().getNamespace());
  }

  /**
   * An existing snapshot found in the store's catalog (spec.snapshotId): Succeeded at once, with what its index says.
   * It never ran here, so it has no Job, no start time and no progress; its completion time is when it was taken.
   */
  StateSnapshotStatus found(Listing.Entry e, boolean imported) {
    SnapshotSummary summary = e.summary();
    SnapshotStats st = summary.stats();
    SnapshotIndexSummary index = new SnapshotIndexSummary(e.snapshotId(), e.key(), summary.previousSnapshotId(), st.files(),
        st.directories(), st.totalBytes(), st.uploadedBytes(), st.reusedBytes());
    String message = (imported ? "imported from the bucket: " : "found in the store: ") + "snapshot " + e.snapshotId() + " of "
        + e.sourceId() + ", taken at " + e.takenAt() + ": " + st.files() + " files, " + Sizes.human(st.totalBytes());
    return new StateSnapshotStatus(SnapshotPhase.Succeeded, e.sourceId(), null, null, e.takenAt().toString(), null, index,
        Sizes.human(st.totalBytes()), Sizes.human(st.uploadedBytes()),
        conditions(Conditions.TRUE, imported ? "Imported" : "Found", message), generation, message);
  }

  /** An existing snapshot that is not (or no longer) where spec.snapshotId says, or not what spec.source says. */
  StateSnapshotStatus notUsable(String reason, String message) {
    return new StateSnapshotStatus(SnapshotPhase.Failed, old == null ? null : old.sourceId(), null, null, now.toString(), null, null, null,
        null, conditions(Conditions.FALSE, reason, message), generation, message);
  }

  @Override
  public StateSnapshotStatus pending(String reason, String message) {
    return new StateSnapshotStatus(SnapshotPhase.Pending, sourceId(), null, null, null, null, null, null, null,
        conditions(Conditions.FALSE, reason, message), generation, message);
  }

  @Override
  public StateSnapshotStatus started(String jobName, String message) {
    return new StateSnapshotStatus(SnapshotPhase.Running, sourceId(), jobName, now.toString(), null, NONE, null, null, null,
        conditions(Conditions.FALSE, "Running", message), generation, message);
  }

  @Override
  public StateSnapshotStatus running(String jobName, Optional<TransferProgress> live) {
    TransferProgress p = live.orElse(old == null || old.progress() == null ? NONE : old.progress());
    String message = "backing up " + sourceId() + " with Job " + jobName;
    return new StateSnapshotStatus(SnapshotPhase.Running, sourceId(), jobName, startTime(), null, p, null, null, null,
        conditions(Conditions.FALSE, "Running", message), generation, message);
  }

  @Override
  public StateSnapshotStatus succeeded(String jobName, BackupReport r) {
    long ms = Math.max(1, r.durationMs());
    SnapshotIndexSummary index = new SnapshotIndexSummary(r.snapshotId(), r.indexKey(), r.previousSnapshotId(), r.files(),
        r.directories(), r.totalBytes(), r.uploadedBytes(), r.reusedBytes());
    String message = "snapshot " + index.id() + ": " + r.files() + " files, " + Sizes.human(r.totalBytes()) + " ("
        + Sizes.human(r.uploadedBytes()) + " uploaded)";
    return new StateSnapshotStatus(SnapshotPhase.Succeeded, r.sourceId() != null ? r.sourceId() : sourceId(), jobName, startTime(), now.toString(),
        new TransferProgress(r.files(), r.files(), r.totalBytes(), r.totalBytes(), r.totalBytes() * 1000 / ms),
        index, Sizes.human(r.totalBytes()), Sizes.human(r.uploadedBytes()),
        conditions(Conditions.TRUE, "Succeeded", message), generation, message);
  }

  @Override
  public String message(StateSnapshotStatus status) {
    return status.message();
  }

  @Override
  public StateSnapshotStatus failed(String jobName, String reason, String message) {
    return new StateSnapshotStatus(SnapshotPhase.Failed, sourceId(), jobName, recordedStartTime(), now.toString(),
        old == null ? null : old.progress(), null, null, null, conditions(Conditions.FALSE, reason, message), generation, message);
  }
}
