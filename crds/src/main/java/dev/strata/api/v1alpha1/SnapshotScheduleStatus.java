package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What a schedule has done and will do next. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotScheduleStatus(
    @JsonPropertyDescription(
            "The scheduled time of the last run that was handled (created, skipped or missed).")
        String lastScheduleTime,
    @JsonPropertyDescription("When the next run is due.") String nextScheduleTime,
    @JsonPropertyDescription("The newest StateSnapshot of this schedule that succeeded.")
        String lastSuccessfulSnapshot,
    @JsonPropertyDescription("When that snapshot completed (RFC 3339).") String lastSuccessfulTime,
    @JsonPropertyDescription("StateSnapshots of this schedule that are still running.")
        List<String> active,
    @SchemaFrom(type = ConditionSchema[].class)
        @JsonPropertyDescription(
            "Ready, Reconciling and Stalled (kstatus): Ready is True while the schedule is valid and running (or Suspended); Stalled says why it is not.")
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
        Long observedGeneration,
    @JsonPropertyDescription(
            "Grouped schedules (statefulSet, pvcSelector): the newest group, its members and how they are doing.")
        SnapshotGroupStatus lastGroup,
    @JsonPropertyDescription("Grouped schedules: the newest group whose members all succeeded.")
        String lastSuccessfulGroup) {

  public SnapshotScheduleStatus(
      String lastScheduleTime,
      String nextScheduleTime,
      String lastSuccessfulSnapshot,
      String lastSuccessfulTime,
      List<String> active,
      List<Condition> conditions,
      Long observedGeneration) {
    this(
        lastScheduleTime,
        nextScheduleTime,
        lastSuccessfulSnapshot,
        lastSuccessfulTime,
        active,
        conditions,
        observedGeneration,
        null,
        null);
  }
}
