package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The committed SnapshotIndex: where it is in the store and what it holds. */
public record SnapshotIndexSummary(
    @JsonPropertyDescription("Snapshot id in the store.") String id,
    @JsonPropertyDescription("Object key of the index, relative to the store's prefix.") String key,
    @JsonPropertyDescription("Id of the snapshot this one was diffed against.") String parent,
    Long files,
    Long directories,
    Long totalBytes,
    Long uploadedBytes,
    Long reusedBytes) {}
