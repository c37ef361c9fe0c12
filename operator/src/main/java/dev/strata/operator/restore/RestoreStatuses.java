package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.Sizes;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.runner.ProgressSummary;
import dev.strata.operator.runner.RecordedStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A StateRestore's status at each step of its run, built from the one recorded so far and the
 * snapshot the restore is pinned to (null until it is resolved).
 */
final class RestoreStatuses extends RecordedStatus<StateRestoreStatus, RestoreReport> {

  private static final TransferProgress NONE = new TransferProgress(0L, 0L, 0L, 0L, 0L);
  private static final Fields<StateRestoreStatus> FIELDS =
      new Fields<>(
          StateRestoreStatus::phase,
          StateRestoreStatus::conditions,
          StateRestoreStatus::jobName,
          StateRestoreStatus::startTime);

  private final StateRestore restore;
  private final ResolvedSnapshot pinned;

  RestoreStatuses(StateRestore restore, ResolvedSnapshot pinned, Instant now) {
    super(restore.getStatus(), now, restore.getMetadata().getGeneration(), FIELDS);
    this.restore = restore;
    this.pinned = pinned;
  }

  /** The same, once the restore's snapshot is resolved (and from then on pinned). */
  RestoreStatuses pinning(ResolvedSnapshot snapshot) {
    return new RestoreStatuses(restore, snapshot, now);
  }

  @Override
  public String kind() {
    return "StateRestore";
  }

  private StateRestoreStatus status(
      SnapshotPhase phase,
      String jobName,
      String start,
      String end,
      TransferProgress progress,
      RestoreReport report,
      String condition,
      String reason,
      String message) {
    return status(
        phase,
        jobName,
        start,
        end,
        progress,
        report,
        conditions(condition, reason, message),
        message);
  }

  private StateRestoreStatus status(
      SnapshotPhase phase,
      String jobName,
      String start,
      String end,
      TransferProgress progress,
      RestoreReport report,
      List<Condition> conditions,
      String message) {
    return new StateRestoreStatus(
        phase,
        pinned,
        restore.getSpec().target().pvc(),
        jobName,
        start,
        end,
        progress,
        report == null ? null : report.files(),
        report == null ? null : report.totalBytes(),
        report == null ? null : report.downloadedBytes(),
        report == null ? null : report.reusedBytes(),
        conditions,
        generation,
        message,
        ProgressSummary.of(progress, phase == SnapshotPhase.Succeeded));
  }

  @Override
  public StateRestoreStatus pending(String reason, String message) {
    return status(
        SnapshotPhase.Pending, null, null, null, null, null, Conditions.FALSE, reason, message);
  }

  @Override
  public StateRestoreStatus started(String jobName, String message) {
    return status(
        SnapshotPhase.Running,
        jobName,
        now.toString(),
        null,
        NONE,
        null,
        Conditions.FALSE,
        "Running",
        message);
  }

  @Override
  public StateRestoreStatus running(String jobName, Optional<TransferProgress> live) {
    TransferProgress p = live.orElse(old == null || old.progress() == null ? NONE : old.progress());
    String message =
        "restoring snapshot " + pinned.id() + " into " + restore.getSpec().target().pvc();
    return status(
        SnapshotPhase.Running,
        jobName,
        startTime(),
        null,
        p,
        null,
        Conditions.FALSE,
        "Running",
        message);
  }

  @Override
  public StateRestoreStatus waiting(String jobName, String reason, String message) {
    return status(
        SnapshotPhase.Running,
        jobName,
        startTime(),
        null,
        old == null ? null : old.progress(),
        null,
        Conditions.FALSE,
        reason,
        message);
  }

  @Override
  public StateRestoreStatus succeeded(String jobName, RestoreReport r) {
    long files = orZero(r.files());
    long total = orZero(r.totalBytes());
    long ms = Math.max(1, orZero(r.durationMs()));
    String message =
        "restored snapshot "
            + pinned.id()
            + ": "
            + files
            + " files, "
            + Sizes.human(total)
            + " ("
            + Sizes.human(orZero(r.downloadedBytes()))
            + " downloaded, "
            + Sizes.human(orZero(r.reusedBytes()))
            + " reused)";
    return status(
        SnapshotPhase.Succeeded,
        jobName,
        recordedStartTime(),
        now.toString(),
        new TransferProgress(files, files, total, total, total * 1000 / ms),
        r,
        Conditions.TRUE,
        "Succeeded",
        message);
  }

  @Override
  public String message(StateRestoreStatus status) {
    return status.message();
  }

  @Override
  public StateRestoreStatus failed(String jobName, String reason, String message) {
    return status(
        SnapshotPhase.Failed,
        jobName,
        recordedStartTime(),
        now.toString(),
        old == null ? null : old.progress(),
        null,
        failedConditions(reason, message),
        message);
  }

  private static long orZero(Long n) {
    return n == null ? 0 : n;
  }
}
