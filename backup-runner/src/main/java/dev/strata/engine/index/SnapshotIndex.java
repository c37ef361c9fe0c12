package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One committed snapshot: its id, metadata, the id of the snapshot it was diffed against (null for
 * the first of a source), the chunk size its files were split by, its counts, and the root
 * DirIndex. Every index is complete, not a delta, so a restore reads one index. The header fields
 * come before {@code root} in the JSON so listings can stop reading early.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "formatVersion",
  "snapshotId",
  "metadata",
  "previousSnapshotId",
  "chunkSize",
  "stats",
  "root"
})
public record SnapshotIndex(
    int formatVersion,
    String snapshotId,
    SnapshotMetadata metadata,
    String previousSnapshotId,
    int chunkSize,
    SnapshotStats stats,
    DirIndex root) {

  public static final int FORMAT_VERSION = 1;

  public SnapshotSummary summary() {
    return new SnapshotSummary(snapshotId, metadata, previousSnapshotId, stats);
  }
}
