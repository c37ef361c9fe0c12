package dev.strata.engine;

import java.util.List;

/**
 * What a committed backup made: its snapshot, the key its index is stored under, how long it took,
 * the files that kept changing while read and were recorded anyway (policy {@code record}), the
 * files and directories that vanished while the backup ran and are not in the snapshot, and what it
 * wrote to the store: bytes (after compression and encryption) and packs.
 */
public record BackupResult(
    Snapshot index,
    String indexKey,
    long durationMs,
    List<String> changedFiles,
    List<String> vanishedFiles,
    long storedBytes,
    long packsWritten) {

  public BackupResult(Snapshot index, String indexKey, long durationMs) {
    this(index, indexKey, durationMs, List.of(), List.of(), 0, 0);
  }

  /** The snapshot made (the same as {@link #index()}). */
  public Snapshot snapshot() {
    return index;
  }
}
