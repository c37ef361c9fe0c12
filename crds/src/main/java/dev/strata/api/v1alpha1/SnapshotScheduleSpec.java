package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** A cron schedule that creates StateSnapshots from a template. */
@ValidationRule(
    value = "!has(self.snapshotTemplate.snapshotId)",
    message =
        "spec.snapshotTemplate.snapshotId names an existing snapshot, and a schedule takes new ones: remove it")
@ValidationRule(
    value =
        "(has(self.snapshotTemplate.source.pvcName) ? 1 : 0) + (has(self.statefulSet) ? 1 : 0) + (has(self.pvcSelector) ? 1 : 0) == 1",
    message =
        "say what to snapshot with exactly one of spec.snapshotTemplate.source.pvcName (one PVC), spec.statefulSet.name (the PVCs"
            + " of a StatefulSet's volumeClaimTemplate) or spec.pvcSelector (the PVCs whose labels match); snapshotTemplate.source.path"
            + " applies to each")
public record SnapshotScheduleSpec(
    @Required
        @Size(max = Cel.CRON_MAX)
        @ValidationRule(
            value = Cel.CRON,
            message = Cel.CRON_MESSAGE,
            messageExpression = Cel.CRON_MESSAGE_EXPRESSION)
        @JsonPropertyDescription(
            "Standard 5-field cron (minute hour day-of-month month day-of-week) or a macro such as @daily.")
        String schedule,
    @Default("UTC")
        @Size(max = 64)
        @ValidationRule(
            value = TimeZones.RULE,
            message = TimeZones.MESSAGE,
            messageExpression = TimeZones.MESSAGE_EXPRESSION)
        @JsonPropertyDescription("IANA time zone the schedule is read in, e.g. Europe/Berlin.")
        String timeZone,
    @Required @JsonPropertyDescription("The spec of every StateSnapshot this schedule creates.")
        StateSnapshotSpec snapshotTemplate,
    @JsonPropertyDescription(
            "The RetentionPolicy that decides how long this schedule's snapshots live.")
        LocalObjectRef retentionPolicyRef,
    @Default("Forbid")
        @JsonPropertyDescription(
            "Forbid skips a due run while one runs; Allow runs both; Replace stops the running one.")
        ConcurrencyPolicy concurrencyPolicy,
    @Default("false")
        @JsonPropertyDescription("Stop creating snapshots; existing ones are not touched.")
        Boolean suspend,
    @Min(0)
        @JsonPropertyDescription(
            "A run missed by more than this many seconds (operator down, suspended) is skipped; at most one missed run is ever caught up.")
        Long startingDeadlineSeconds,
    @Default("Orphan")
        @JsonPropertyDescription(
            "When the schedule is deleted: Orphan keeps its snapshots, Delete deletes them.")
        SnapshotsOnDelete snapshotsOnDelete,
    @JsonPropertyDescription(
            "Snapshot every PVC of this StatefulSet's volumeClaimTemplate (<template>-<statefulset>-<ordinal>, ordinals"
                + " 0 to replicas-1, as the StatefulSet says at each run): each run makes one StateSnapshot per PVC, grouped (label"
                + " strata.dev/group), and retention counts groups.")
        StatefulSetVolumes statefulSet,
    @JsonPropertyDescription(
            "Snapshot every PVC of this namespace whose own labels match (matchLabels and matchExpressions; a"
                + " StatefulSet's claims carry the labels of its volumeClaimTemplate): each run makes one StateSnapshot per PVC, grouped.")
        LabelSelector pvcSelector) {

  /** The single-PVC form: the PVC is the template's. */
  public SnapshotScheduleSpec(
      String schedule,
      String timeZone,
      StateSnapshotSpec snapshotTemplate,
      LocalObjectRef retentionPolicyRef,
      ConcurrencyPolicy concurrencyPolicy,
      Boolean suspend,
      Long startingDeadlineSeconds,
      SnapshotsOnDelete snapshotsOnDelete) {
    this(
        schedule,
        timeZone,
        snapshotTemplate,
        retentionPolicyRef,
        concurrencyPolicy,
        suspend,
        startingDeadlineSeconds,
        snapshotsOnDelete,
        null,
        null);
  }

  /**
   * Whether each run snapshots several PVCs (a StatefulSet's, or those a selector picks), as one
   * group.
   */
  public boolean grouped() {
    return statefulSet != null || pvcSelector != null;
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
