package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateSnapshotStatus(
    SnapshotPhase phase,
    @JsonPropertyDescription("The source identity: namespace/pvc/path.") String sourceId,
    @JsonPropertyDescription("The runner Job.") String jobName,
    String startTime,
    String completionTime,
    TransferProgress progress,
    SnapshotIndexSummary snapshotIndex,
    @JsonPropertyDescription("Total size, human-readable.") String size,
    @JsonPropertyDescription("Bytes uploaded, human-readable.") String uploaded,
    List<Condition> conditions,
    Long observedGeneration,
    @JsonPropertyDescription("Why the snapshot is where it is; on failure, the runner's error.") String message,
    @JsonPropertyDescription("The hooks run so far (spec.hooks), in order, with their results.") List<HookResult> hooks,
    @JsonPropertyDescription("Files that changed or vanished while they were read (onFileChange: Record).") FileChanges fileChanges) {

  public StateSnapshotStatus(SnapshotPhase phase, String sourceId, String jobName, String startTime, String completionTime,
      TransferProgress progress, SnapshotIndexSummary snapshotIndex, String size, String uploaded, List<Condition> conditions,
      Long observedGeneration, String message) {
    this(phase, sourceId, jobName, startTime, completionTime, progress, snapshotIndex, size, uploaded, conditions, observedGeneration,
        message, null, null);
  }
}
