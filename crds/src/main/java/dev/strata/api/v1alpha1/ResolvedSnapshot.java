package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The snapshot a restore resolved to, pinned at its start. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResolvedSnapshot(String snapshotName, String id, String sourceId, String storeRef, Long totalBytes, String takenAt) {}
