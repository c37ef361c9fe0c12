package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A cron schedule that creates StateSnapshots from a template: one per run of one PVC (snapshotTemplate.source), or one
 * group per run, a StateSnapshot for each PVC of a workload (spec.volumes).
 */
@ValidationRule(
    value = "has(self.snapshotTemplate.source) != has(self.volumes)",
    message = "a schedule snapshots one PVC (spec.snapshotTemplate.source) or the PVCs of a workload as a group (spec.volumes): set"
        + " exactly one of them")
public record SnapshotScheduleSpec(
    @Required
        @Pattern("^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+)$")
        @JsonPropertyDescription("Standard 5-field cron (minute hour day-of-month month day-of-week) or a macro such as @daily.")
        String schedule,
    @Default("UTC") @JsonPropertyDescription("IANA time zone the schedule is read in, e.g. Europe/Berlin.") String timeZone,
    @Required @JsonPropertyDescription("The spec of every StateSnapshot this schedule creates.") StateSnapshotSpec snapshotTemplate,
    @JsonPropertyDescription("The RetentionPolicy that decides how long this schedule's snapshots live.") LocalObjectRef retentionPolicyRef,
    @Default("Forbid") @JsonPropertyDescription("Forbid skips a due run while one runs; Allow runs both; Replace stops the running one.")
        ConcurrencyPolicy concurrencyPolicy,
    @Default("false") @JsonPropertyDescription("Stop creating snapshots; existing ones are not touched.") Boolean suspend,
    @Min(0)
        @JsonPropertyDescription("A run missed by more than this many seconds (operator down, suspended) is skipped; at most one missed run is ever caught up.")
        Long startingDeadlineSeconds,
    @Default("Orphan") @JsonPropertyDescription("When the schedule is deleted: Orphan keeps its snapshots, Delete deletes them.")
        SnapshotsOnDelete snapshotsOnDelete,
    @JsonPropertyDescription("The PVCs of a whole workload (by label selector or StatefulSet): each run makes one StateSnapshot per PVC,"
        + " grouped (label strata.dev/group), and retention keeps or expires groups whole. Leave snapshotTemplate.source out.")
        SnapshotVolumes volumes) {

  public SnapshotScheduleSpec(String schedule, String timeZone, StateSnapshotSpec snapshotTemplate, LocalObjectRef retentionPolicyRef,
      ConcurrencyPolicy concurrencyPolicy, Boolean suspend, Long startingDeadlineSeconds, SnapshotsOnDelete snapshotsOnDelete) {
    this(schedule, timeZone, snapshotTemplate, retentionPolicyRef, concurrencyPolicy, suspend, startingDeadlineSeconds, snapshotsOnDelete, null);
  }

  /** Whether each run is a group of snapshots, one per volume of a workload. */
  public boolean grouped() {
    return volumes != null;
  }

  public String timeZoneOrDefault() {
    return timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
  }

  public ConcurrencyPolicy concurrencyPolicyOrDefault() {
    return concurrencyPolicy == null ? ConcurrencyPolicy.Forbid : concurrencyPolicy;
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public SnapshotsOnDelete snapshotsOnDeleteOrDefault() {
    return snapshotsOnDelete == null ? SnapshotsOnDelete.Orphan : snapshotsOnDelete;
  }
}
