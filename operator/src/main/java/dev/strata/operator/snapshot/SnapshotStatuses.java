package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.FileChanges;
import dev.strata.api.v1alpha1.HookResult;
import dev.strata.api.v1alpha1.SnapshotIndexSummary;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.Sizes;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.catalog.Listing;
import dev.strata.operator.runner.RecordedStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A StateSnapshot's status at each step of its run, built from the one recorded so far and the
 * hooks' results.
 */
final class SnapshotStatuses extends RecordedStatus<StateSnapshotStatus, BackupReport> {

  private static final TransferProgress NONE = new TransferProgress(0L, 0L, 0L, 0L, 0L);
  private static final Fields<StateSnapshotStatus> FIELDS =
      new Fields<>(
          StateSnapshotStatus::phase,
          StateSnapshotStatus::conditions,
          StateSnapshotStatus::jobName,
          StateSnapshotStatus::startTime);

  private final StateSnapshot snapshot;
  private final String cluster;
  private final List<HookResult> hooks;

  /**
   * @param cluster this cluster's id, in the source id of the snapshots it takes
   */
  SnapshotStatuses(StateSnapshot snapshot, Instant now, String cluster) {
    this(
        snapshot, now, cluster, snapshot.getStatus() == null ? null : snapshot.getStatus().hooks());
  }

  private SnapshotStatuses(
      StateSnapshot snapshot, Instant now, String cluster, List<HookResult> hooks) {
    super(snapshot.getStatus(), now, snapshot.getMetadata().getGeneration(), FIELDS);
    this.snapshot = snapshot;
    this.cluster = cluster;
    this.hooks = hooks == null || hooks.isEmpty() ? null : List.copyOf(hooks);
  }

  /** The same writer, recording these hook results. */
  SnapshotStatuses withHooks(List<HookResult> results) {
    return new SnapshotStatuses(snapshot, now, cluster, results);
  }

  /** A status already built, with these hook results instead of its own. */
  static StateSnapshotStatus withHooks(StateSnapshotStatus s, List<HookResult> results) {
    return new StateSnapshotStatus(
        s.phase(),
        s.sourceId(),
        s.jobName(),
        s.startTime(),
        s.completionTime(),
        s.progress(),
        s.snapshotIndex(),
        s.size(),
        s.uploaded(),
        s.conditions(),
        s.observedGeneration(),
        s.message(),
        results == null || results.isEmpty() ? null : List.copyOf(results),
        s.fileChanges(),
        s.expiresAt());
  }

  @Override
  public String kind() {
    return "StateSnapshot";
  }

  /**
   * The id the runner is given; what it reports wins (a Job an operator made before clusters were
   * named used another).
   */
  private String sourceId() {
    return snapshot.getSpec().source().sourceId(cluster, snapshot.getMetadata().getNamespace());
  }

  /**
   * An existing snapshot found in the store's catalog (spec.snapshotId): Succeeded at once, with
   * what its index says. It never ran here, so it has no Job, no start time and no progress; its
   * completion time is when it was taken.
   */
  StateSnapshotStatus found(Listing.Entry e, boolean imported) {
    SnapshotSummary summary = e.summary();
    SnapshotStats st = summary.stats();
    SnapshotIndexSummary index =
        new SnapshotIndexSummary(
            e.snapshotId(),
            e.key(),
            summary.previousSnapshotId(),
            st.files(),
            st.directories(),
            st.totalBytes(),
            st.uploadedBytes(),
            st.reusedBytes());
    String message =
        (imported ? "imported from the bucket: " : "found in the store: ")
            + "snapshot "
            + e.snapshotId()
            + " of "
            + e.sourceId()
            + ", taken at "
            + e.takenAt()
            + ": "
            + st.files()
            + " files, "
            + Sizes.human(st.totalBytes());
    return new StateSnapshotStatus(
        SnapshotPhase.Succeeded,
        e.sourceId(),
        null,
        null,
        e.takenAt().toString(),
        null,
        index,
        Sizes.human(st.totalBytes()),
        Sizes.human(st.uploadedBytes()),
        conditions(Conditions.TRUE, imported ? "Imported" : "Found", message),
        generation,
        message);
  }

  /**
   * An existing snapshot that is not (or no longer) where spec.snapshotId says, or not what
   * spec.source says.
   */
  StateSnapshotStatus notUsable(String reason, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Failed,
        old == null ? null : old.sourceId(),
        null,
        null,
        now.toString(),
        null,
        null,
        null,
        null,
        failedConditions(reason, message),
        generation,
        message);
  }

  @Override
  public StateSnapshotStatus pending(String reason, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Pending,
        sourceId(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        conditions(Conditions.FALSE, reason, message),
        generation,
        message,
        hooks,
        null,
        null);
  }

  @Override
  public StateSnapshotStatus started(String jobName, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Running,
        sourceId(),
        jobName,
        now.toString(),
        null,
        NONE,
        null,
        null,
        null,
        conditions(Conditions.FALSE, "Running", message),
        generation,
        message,
        hooks,
        null,
        null);
  }

  @Override
  public StateSnapshotStatus running(String jobName, Optional<TransferProgress> live) {
    TransferProgress p = live.orElse(old == null || old.progress() == null ? NONE : old.progress());
    String message = "backing up " + sourceId() + " with Job " + jobName;
    return new StateSnapshotStatus(
        SnapshotPhase.Running,
        sourceId(),
        jobName,
        startTime(),
        null,
        p,
        null,
        null,
        null,
        conditions(Conditions.FALSE, "Running", message),
        generation,
        message,
        hooks,
        null,
        null);
  }

  @Override
  public StateSnapshotStatus waiting(String jobName, String reason, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Running,
        sourceId(),
        jobName,
        startTime(),
        null,
        old == null ? null : old.progress(),
        null,
        null,
        null,
        conditions(Conditions.FALSE, reason, message),
        generation,
        message,
        hooks,
        null,
        null);
  }

  /** The runner has ended; the post hooks run before its end is recorded. */
  StateSnapshotStatus postHooks(String jobName, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Running,
        sourceId(),
        jobName,
        startTime(),
        null,
        old == null ? null : old.progress(),
        null,
        null,
        null,
        conditions(Conditions.FALSE, "PostHooks", message),
        generation,
        message,
        hooks,
        null,
        null);
  }

  @Override
  public StateSnapshotStatus succeeded(String jobName, BackupReport r) {
    long ms = Math.max(1, r.durationMs());
    String message =
        "snapshot "
            + r.snapshotId()
            + ": "
            + r.files()
            + " files, "
            + Sizes.human(r.totalBytes())
            + " ("
            + Sizes.human(r.uploadedBytes())
            + " uploaded)"
            + changes(r);
    return new StateSnapshotStatus(
        SnapshotPhase.Succeeded,
        reportedSourceId(r),
        jobName,
        startTime(),
        now.toString(),
        new TransferProgress(
            r.files(), r.files(), r.totalBytes(), r.totalBytes(), r.totalBytes() * 1000 / ms),
        index(r),
        Sizes.human(r.totalBytes()),
        Sizes.human(r.uploadedBytes()),
        conditions(Conditions.TRUE, "Succeeded", message),
        generation,
        message,
        hooks,
        fileChanges(r),
        null);
  }

  /**
   * The runner committed the snapshot, but the run fails after all (a post hook failed with onError
   * Fail).
   */
  StateSnapshotStatus failedAfterCommit(
      String jobName, BackupReport r, String reason, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Failed,
        reportedSourceId(r),
        jobName,
        startTime(),
        now.toString(),
        old == null ? null : old.progress(),
        index(r),
        Sizes.human(r.totalBytes()),
        Sizes.human(r.uploadedBytes()),
        failedConditions(reason, message),
        generation,
        message,
        hooks,
        fileChanges(r),
        null);
  }

  /**
   * The source id the runner reports wins (a Job an operator made before clusters were named used
   * another).
   */
  private String reportedSourceId(BackupReport r) {
    return r.sourceId() != null ? r.sourceId() : sourceId();
  }

  private static SnapshotIndexSummary index(BackupReport r) {
    return new SnapshotIndexSummary(
        r.snapshotId(),
        r.indexKey(),
        r.previousSnapshotId(),
        r.files(),
        r.directories(),
        r.totalBytes(),
        r.uploadedBytes(),
        r.reusedBytes());
  }

  private static FileChanges fileChanges(BackupReport r) {
    if (r.changedFiles() == null && r.vanishedFiles() == null) {
      return null;
    }
    return new FileChanges(
        r.changedFiles(), r.changedFilesCount(), r.vanishedFiles(), r.vanishedFilesCount());
  }

  private static String changes(BackupReport r) {
    int changed = r.changedFilesCount() == null ? 0 : r.changedFilesCount();
    int vanished = r.vanishedFilesCount() == null ? 0 : r.vanishedFilesCount();
    if (changed == 0 && vanished == 0) {
      return "";
    }
    return "; "
        + (changed > 0 ? changed + " files changed while read (recorded as last read)" : "")
        + (changed > 0 && vanished > 0 ? ", " : "")
        + (vanished > 0 ? vanished + " vanished" : "")
        + ": see status.fileChanges";
  }

  @Override
  public String message(StateSnapshotStatus status) {
    return status.message();
  }

  @Override
  public StateSnapshotStatus failed(String jobName, String reason, String message) {
    return new StateSnapshotStatus(
        SnapshotPhase.Failed,
        sourceId(),
        jobName,
        recordedStartTime(),
        now.toString(),
        old == null ? null : old.progress(),
        null,
        null,
        null,
        failedConditions(reason, message),
        generation,
        message,
        hooks,
        null,
        null);
  }
}
