package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What a schedule has done and will do next. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotScheduleStatus(
    @JsonPropertyDescription("The scheduled time of the last run that was handled (created, skipped or missed).") String lastScheduleTime,
    @JsonPropertyDescription("When the next run is due.") String nextScheduleTime,
    @JsonPropertyDescription("The newest StateSnapshot of this schedule that succeeded.") String lastSuccessfulSnapshot,
    String lastSuccessfulTime,
    @JsonPropertyDescription("StateSnapshots of this schedule that are still running.") List<String> active,
    List<Condition> conditions,
    Long observedGeneration,
    @JsonPropertyDescription("With spec.volumes: the newest groups (at most 10), each with its state: Succeeded when every volume"
        + " succeeded, PartiallyFailed when some failed.") List<GroupState> groups,
    @JsonPropertyDescription("With spec.volumes: the newest group whose volumes all succeeded.") String lastSuccessfulGroup) {

  public SnapshotScheduleStatus(String lastScheduleTime, String nextScheduleTime, String lastSuccessfulSnapshot, String lastSuccessfulTime,
      List<String> active, List<Condition> conditions, Long observedGeneration) {
    this(lastScheduleTime, nextScheduleTime, lastSuccessfulSnapshot, lastSuccessfulTime, active, conditions, observedGeneration, null, null);
  }
}
