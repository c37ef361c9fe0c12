package dev.strata.engine;

/**
 * What a restore did: files and logical bytes restored, bytes fetched from the store and bytes
 * reused locally.
 */
public record RestoreResult(
    String snapshotId,
    long files,
    long totalBytes,
    long downloadedBytes,
    long reusedBytes,
    long durationMs) {}
