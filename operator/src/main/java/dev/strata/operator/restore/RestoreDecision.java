package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.operator.snapshot.SnapshotDecision;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a StateRestore's reconcile does: status, a PVC and a Job to create, Events, when to look again, and a finished
 * Job to release once its result is recorded.
 */
public record RestoreDecision(
    StateRestoreStatus status,
    Optional<PersistentVolumeClaim> createPvc,
    Optional<Job> createJob,
    List<SnapshotDecision.Event> events,
    Optional<Duration> requeueAfter,
    Optional<Job> releaseJob) {

  public RestoreDecision(StateRestoreStatus status, Optional<PersistentVolumeClaim> createPvc, Optional<Job> createJob,
      List<SnapshotDecision.Event> events, Optional<Duration> requeueAfter) {
    this(status, createPvc, createJob, events, requeueAfter, Optional.empty());
  }
}
