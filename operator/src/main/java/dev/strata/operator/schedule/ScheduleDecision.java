package dev.strata.operator.schedule;

import dev.strata.api.v1alpha1.SnapshotScheduleStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.snapshot.SnapshotDecision;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What a schedule's reconcile does: the status, a snapshot to create, running snapshots to stop, Events, when to look again. */
public record ScheduleDecision(
    SnapshotScheduleStatus status,
    Optional<StateSnapshot> create,
    List<String> delete,
    List<SnapshotDecision.Event> events,
    Optional<Duration> requeueAfter) {}
