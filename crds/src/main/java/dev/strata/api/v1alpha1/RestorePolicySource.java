package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The last automatic restore of one source: what it resolved to, when, in which pod, and how it
 * ended.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestorePolicySource(
    @JsonPropertyDescription("The source identity: namespace/pvc/path.") String sourceId,
    @JsonPropertyDescription("The snapshot the restore resolved to; empty for a fresh start.")
        String snapshotId,
    @JsonPropertyDescription("When the restore finished (RFC 3339).") String resolvedAt,
    @JsonPropertyDescription("The pod that restored.") String pod,
    @JsonPropertyDescription("The uid of that pod: restoresDone counts each pod once.")
        String podUid,
    @JsonPropertyDescription("Restored, FreshStart (no snapshot of the source yet) or Failed.")
        PodRestoreResult result,
    @JsonPropertyDescription("Bytes fetched from the store.") Long downloadedBytes,
    @JsonPropertyDescription("Bytes the volume already held and kept.") Long reusedBytes,
    @JsonPropertyDescription("On failure, the runner's error.") String message) {}
