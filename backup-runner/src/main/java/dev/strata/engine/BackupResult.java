package dev.strata.engine;

import dev.strata.engine.index.SnapshotIndex;

/** What a committed backup made: its index, the key the index is stored under, and how long it took. */
public record BackupResult(SnapshotIndex index, String indexKey, long durationMs) {}
