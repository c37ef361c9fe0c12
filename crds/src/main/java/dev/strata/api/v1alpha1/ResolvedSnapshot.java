package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The snapshot a restore resolved to, pinned at its start. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResolvedSnapshot(
    @JsonPropertyDescription(
            "The StateSnapshot (absent for a snapshot read from the store's catalog).")
        String snapshotName,
    @JsonPropertyDescription("The snapshot's id in the store.") String id,
    @JsonPropertyDescription("The source it was taken of: cluster:namespace/pvc/path.")
        String sourceId,
    @JsonPropertyDescription("The SnapshotStore it is in.") String storeRef,
    @JsonPropertyDescription("Bytes of all its files.") Long totalBytes,
    @JsonPropertyDescription("When it was taken (RFC 3339).") String takenAt) {}
