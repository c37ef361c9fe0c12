package dev.strata.engine;

import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.index.SnapshotMetadata;
import dev.strata.engine.index.SnapshotRecord;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.index.SnapshotSummary;
import java.util.List;

/**
 * A committed snapshot as read from its object: of format 1 (its whole index in memory, blobs are
 * objects of their own) or of format 2 (its tree is a list of tree blobs in packs, streamed when
 * used). Restore, verify, `show` and garbage collection take either.
 */
public final class Snapshot {

  private final String key;
  private final SnapshotIndex v1;
  private final SnapshotRecord v2;

  private Snapshot(String key, SnapshotIndex v1, SnapshotRecord v2) {
    this.key = key;
    this.v1 = v1;
    this.v2 = v2;
  }

  public static Snapshot of(String key, SnapshotIndex index) {
    return new Snapshot(key, index, null);
  }

  public static Snapshot of(String key, SnapshotRecord record) {
    return new Snapshot(key, null, record);
  }

  public int formatVersion() {
    return v1 != null ? 1 : 2;
  }

  /** The object it was read from. */
  public String key() {
    return key;
  }

  public String snapshotId() {
    return v1 != null ? v1.snapshotId() : v2.snapshotId();
  }

  public SnapshotMetadata metadata() {
    return v1 != null ? v1.metadata() : v2.metadata();
  }

  public String previousSnapshotId() {
    return v1 != null ? v1.previousSnapshotId() : v2.previousSnapshotId();
  }

  public SnapshotStats stats() {
    return v1 != null ? v1.stats() : v2.stats();
  }

  public SnapshotSummary summary() {
    return new SnapshotSummary(snapshotId(), metadata(), previousSnapshotId(), stats());
  }

  /** The whole index of a format-1 snapshot; null for format 2. */
  public SnapshotIndex v1Index() {
    return v1;
  }

  /** The record of a format-2 snapshot; null for format 1. */
  public SnapshotRecord record() {
    return v2;
  }

  /** Format 2: the ids of the tree blobs, in order; empty for format 1. */
  public List<String> treeChunks() {
    return v2 != null ? v2.tree() : List.of();
  }

  @Override
  public String toString() {
    return "Snapshot[" + snapshotId() + ", format " + formatVersion() + "]";
  }
}
