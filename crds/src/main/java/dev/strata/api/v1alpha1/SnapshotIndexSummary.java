package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The committed SnapshotIndex: where it is in the store and what it holds. */
public record SnapshotIndexSummary(
    @JsonPropertyDescription("Snapshot id in the store.") String id,
    @JsonPropertyDescription("Object key of the index, relative to the store's prefix.") String key,
    @JsonPropertyDescription("Id of the snapshot this one was diffed against.") String parent,
    @JsonPropertyDescription("Files in the snapshot.") Long files,
    @JsonPropertyDescription("Directories in the snapshot.") Long directories,
    @JsonPropertyDescription("Bytes of all its files.") Long totalBytes,
    @JsonPropertyDescription("Bytes uploaded by this snapshot (new or changed content).")
        Long uploadedBytes,
    @JsonPropertyDescription("Bytes reused from earlier snapshots (unchanged content).")
        Long reusedBytes) {}
