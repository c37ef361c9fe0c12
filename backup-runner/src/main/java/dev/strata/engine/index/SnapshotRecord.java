package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What a format-2 snapshot object holds (sealed when the store is encrypted): the snapshot's id,
 * metadata, base, counts, the compression its backup used, and its tree as the ids of the tree
 * blobs that hold it, in order, with the tree's length in bytes. The tree itself lives in packs
 * like file content, so an unchanged tree costs no upload.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "snapshotId",
  "metadata",
  "previousSnapshotId",
  "stats",
  "compression",
  "treeBytes",
  "tree"
})
public record SnapshotRecord(
    String snapshotId,
    SnapshotMetadata metadata,
    String previousSnapshotId,
    SnapshotStats stats,
    String compression,
    long treeBytes,
    List<String> tree) {

  public SnapshotRecord {
    tree = tree == null ? List.of() : List.copyOf(tree);
  }

  public SnapshotSummary summary() {
    return new SnapshotSummary(snapshotId, metadata, previousSnapshotId, stats);
  }
}
