package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.StateSnapshotStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the reconciler should do: the status to write, a Job to create (at most one, ever), Events to record, when to
 * look again, and a finished Job to release once the result it produced is recorded.
 */
public record SnapshotDecision(
    StateSnapshotStatus status, Optional<Job> createJob, List<Event> events, Optional<Duration> requeueAfter,
    Optional<Job> releaseJob) {

  public SnapshotDecision(StateSnapshotStatus status, Optional<Job> createJob, List<Event> events, Optional<Duration> requeueAfter) {
    this(status, createJob, events, requeueAfter, Optional.empty());
  }

  /** An Event to record on the StateSnapshot. */
  public record Event(String type, String reason, String note) {}
}
