package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last garbage collection of a store. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GarbageCollectionStatus(
    @JsonPropertyDescription("When it finished (RFC 3339).") String time,
    @JsonPropertyDescription("Succeeded or Failed.") String result,
    @JsonPropertyDescription("Unreferenced blobs deleted.") Long blobsDeleted,
    @JsonPropertyDescription("Bytes those blobs held.") Long bytesDeleted,
    @JsonPropertyDescription(
            "Deletion markers of expired snapshots removed once their blobs were collected.")
        Long tombstonesDeleted,
    @JsonPropertyDescription("How long it ran, in milliseconds.") Long durationMs,
    @JsonPropertyDescription("What it did, or why it failed.") String message) {}
