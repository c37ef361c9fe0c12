package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateSnapshotStatus(
    @JsonPropertyDescription(
            "Pending (waiting for the store, or running pre hooks), Running, Succeeded or Failed.")
        SnapshotPhase phase,
    @JsonPropertyDescription(
            "The source identity: cluster:namespace/pvc/path (namespace/pvc/path for snapshots made before clusters were named).")
        String sourceId,
    @JsonPropertyDescription("The runner Job.") String jobName,
    @JsonPropertyDescription("When the runner started (RFC 3339).") String startTime,
    @JsonPropertyDescription(
            "When the snapshot was committed (for an imported one: when it was taken).")
        String completionTime,
    @JsonPropertyDescription("Live counters of the runner, in files and bytes.")
        TransferProgress progress,
    @JsonPropertyDescription(
            "The committed SnapshotIndex: its id and key in the store, and what it holds.")
        SnapshotIndexSummary snapshotIndex,
    @JsonPropertyDescription("Total size, human-readable.") String size,
    @JsonPropertyDescription("Bytes uploaded, human-readable.") String uploaded,
    @SchemaFrom(type = ConditionSchema[].class)
        @JsonPropertyDescription(
            "Ready, Reconciling and Stalled (kstatus): Ready is True once the snapshot is committed.")
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
        Long observedGeneration,
    @JsonPropertyDescription("Why the snapshot is where it is; on failure, the runner's error.")
        String message,
    @JsonPropertyDescription("The hooks run so far (spec.hooks), in order, with their results.")
        List<HookResult> hooks,
    @JsonPropertyDescription(
            "Files that changed or vanished while they were read (onFileChange: Record).")
        FileChanges fileChanges,
    @JsonPropertyDescription(
            "When spec.ttl deletes this StateSnapshot (RFC 3339); absent without a TTL.")
        String expiresAt) {

  public StateSnapshotStatus(
      SnapshotPhase phase,
      String sourceId,
      String jobName,
      String startTime,
      String completionTime,
      TransferProgress progress,
      SnapshotIndexSummary snapshotIndex,
      String size,
      String uploaded,
      List<Condition> conditions,
      Long observedGeneration,
      String message) {
    this(
        phase,
        sourceId,
        jobName,
        startTime,
        completionTime,
        progress,
        snapshotIndex,
        size,
        uploaded,
        conditions,
        observedGeneration,
        message,
        null,
        null,
        null);
  }
}
