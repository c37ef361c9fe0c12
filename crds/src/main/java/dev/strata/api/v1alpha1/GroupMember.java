package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One volume of a group: its PVC, the StateSnapshot (or StateRestore) made for it, and where that is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupMember(
    @JsonPropertyDescription("The PVC.") String pvcName,
    @JsonPropertyDescription("The StateSnapshot of this volume.") String snapshotName,
    @JsonPropertyDescription("In a group restore: the StateRestore that restores this volume.") String restoreName,
    @JsonPropertyDescription("In a group restore: the PVC it restores into.") String targetPvc,
    SnapshotPhase phase,
    @JsonPropertyDescription("On failure, why.") String message) {}
