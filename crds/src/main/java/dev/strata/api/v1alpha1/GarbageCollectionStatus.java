package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last garbage collection of a store. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GarbageCollectionStatus(
    @JsonPropertyDescription("When it finished (RFC 3339).") String time,
    @JsonPropertyDescription("Succeeded or Failed.") String result,
    @JsonPropertyDescription(
            "Why it failed, in one CamelCase word (AccessDenied, Unreachable, RunnerFailed...): the reason a snapshot or restore gets for the same runner cause (docs/snapshots.md lists them). Absent when it succeeded.")
        String reason,
    @JsonPropertyDescription("Unreferenced blobs deleted.") Long blobsDeleted,
    @JsonPropertyDescription("Bytes those blobs held.") Long bytesDeleted,
    @JsonPropertyDescription(
            "Deletion markers of expired snapshots removed once their blobs were collected.")
        Long tombstonesDeleted,
    @JsonPropertyDescription("How long it ran, in milliseconds.") Long durationMs,
    @JsonPropertyDescription("What it did, or why it failed.") String message)
    implements StoreRunStatus {

  /** A run that failed: when it ended, why (a reason), and the runner's message. */
  public static GarbageCollectionStatus failed(String time, String reason, String message) {
    return new GarbageCollectionStatus(time, "Failed", reason, null, null, null, null, message);
  }
}
