package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The header of a SnapshotIndex without its tree: what listings show. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotSummary(
    String snapshotId, SnapshotMetadata metadata, String previousSnapshotId, SnapshotStats stats) {}
