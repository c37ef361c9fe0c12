package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What a restore resolved, where it is, and what it transferred. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateRestoreStatus(
    SnapshotPhase phase,
    @JsonPropertyDescription("The snapshot this restore resolved to at its start; it never changes afterwards.") ResolvedSnapshot resolvedSnapshot,
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
    @JsonPropertyDescription("A group restore (source.group): each member's restore.") GroupRestoreStatus group) {

  public StateRestoreStatus(SnapshotPhase phase, ResolvedSnapshot resolvedSnapshot, String targetPvc, String jobName, String startTime,
      String completionTime, TransferProgress progress, Long files, Long totalBytes, Long downloadedBytes, Long reusedBytes,
      List<Condition> conditions, Long observedGeneration, String message) {
    this(phase, resolvedSnapshot, targetPvc, jobName, startTime, completionTime, progress, files, totalBytes, downloadedBytes, reusedBytes,
        conditions, observedGeneration, message, null);
  }
}
