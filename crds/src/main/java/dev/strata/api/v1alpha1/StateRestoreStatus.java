package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What a restore resolved, where it is, and what it transferred. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateRestoreStatus(
    @JsonPropertyDescription(
            "Pending (resolving, or waiting for the store or the target), Running, Succeeded or Failed.")
        SnapshotPhase phase,
    @JsonPropertyDescription(
            "The snapshot this restore resolved to at its start; it never changes afterwards.")
        ResolvedSnapshot resolvedSnapshot,
    @JsonPropertyDescription("The PVC restored into.") String targetPvc,
    @JsonPropertyDescription("The runner Job.") String jobName,
    @JsonPropertyDescription("When the runner started (RFC 3339).") String startTime,
    @JsonPropertyDescription("When the restore ended, successfully or not (RFC 3339).")
        String completionTime,
    @JsonPropertyDescription("Live counters of the runner, in files and bytes.")
        TransferProgress progress,
    @JsonPropertyDescription("Files restored (when it succeeded).") Long files,
    @JsonPropertyDescription("Bytes of the snapshot restored (when it succeeded).") Long totalBytes,
    @JsonPropertyDescription("Bytes downloaded from the store (when it succeeded).")
        Long downloadedBytes,
    @JsonPropertyDescription("Bytes already on the volume and kept (mode Sync; when it succeeded).")
        Long reusedBytes,
    @SchemaFrom(type = ConditionSchema[].class)
        @JsonPropertyDescription(
            "Ready, Reconciling and Stalled (kstatus): Ready is True once the restore succeeded.")
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
        Long observedGeneration,
    @JsonPropertyDescription("Why the restore is where it is; on failure, the runner's error.")
        String message,
    @JsonPropertyDescription(
            "Progress as people read it, e.g. 1.2 GiB / 3.4 GiB (35%); never 100% before the restore succeeded.")
        String progressSummary,
    @JsonPropertyDescription("A group restore (source.group): each member's restore.")
        GroupRestoreStatus group) {

  public StateRestoreStatus(
      SnapshotPhase phase,
      ResolvedSnapshot resolvedSnapshot,
      String targetPvc,
      String jobName,
      String startTime,
      String completionTime,
      TransferProgress progress,
      Long files,
      Long totalBytes,
      Long downloadedBytes,
      Long reusedBytes,
      List<Condition> conditions,
      Long observedGeneration,
      String message) {
    this(
        phase,
        resolvedSnapshot,
        targetPvc,
        jobName,
        startTime,
        completionTime,
        progress,
        files,
        totalBytes,
        downloadedBytes,
        reusedBytes,
        conditions,
        observedGeneration,
        message,
        null,
        null);
  }

  /** A restore of one snapshot (no group). */
  public StateRestoreStatus(
      SnapshotPhase phase,
      ResolvedSnapshot resolvedSnapshot,
      String targetPvc,
      String jobName,
      String startTime,
      String completionTime,
      TransferProgress progress,
      Long files,
      Long totalBytes,
      Long downloadedBytes,
      Long reusedBytes,
      List<Condition> conditions,
      Long observedGeneration,
      String message,
      String progressSummary) {
    this(
        phase,
        resolvedSnapshot,
        targetPvc,
        jobName,
        startTime,
        completionTime,
        progress,
        files,
        totalBytes,
        downloadedBytes,
        reusedBytes,
        conditions,
        observedGeneration,
        message,
        progressSummary,
        null);
  }
}
