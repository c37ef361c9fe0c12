package dev.strata.operator.schedule;

import dev.strata.api.v1alpha1.SnapshotScheduleStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.EventRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a schedule's reconcile does: the status, the snapshots to create (one, or a group's),
 * running snapshots to stop, Events, when to look again.
 */
public record ScheduleDecision(
    SnapshotScheduleStatus status,
    List<StateSnapshot> create,
    List<String> delete,
    List<EventRecorder.Event> events,
    Optional<Duration> requeueAfter) {

  /**
   * What the due time came to, by the Event that says so: created, skipped (one still runs) or
   * missed (too late).
   */
  private static final Map<String, String> OUTCOMES =
      Map.of(
          "SnapshotCreated", "created", "SkippedConcurrent", "skipped", "MissedSchedule", "missed");

  public List<String> outcomes() {
    return events.stream().map(e -> OUTCOMES.get(e.reason())).filter(Objects::nonNull).toList();
  }
}
