package dev.strata.engine;

import dev.strata.engine.index.SnapshotIndex;
import java.util.List;

/**
 * What a committed backup made: its index, the key the index is stored under, how long it took, the files that kept
 * changing while read and were recorded anyway (policy {@code record}), and the files and directories that vanished
 * while the backup ran and are not in the snapshot.
 */
public record BackupResult(SnapshotIndex index, String indexKey, long durationMs, List<String> changedFiles, List<String> vanishedFiles) {

  public BackupResult(SnapshotIndex index, String indexKey, long durationMs) {
    this(index, indexKey, durationMs, List.of(), List.of());
  }
}
