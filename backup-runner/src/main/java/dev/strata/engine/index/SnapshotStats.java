package dev.strata.engine.index;

/**
 * Counts of a snapshot: regular files, directories (the root included) and symlinks; logical bytes;
 * bytes this snapshot's backup uploaded; and bytes it reused (retained files and blobs already in
 * the store).
 */
public record SnapshotStats(
    long files,
    long directories,
    long symlinks,
    long totalBytes,
    long uploadedBytes,
    long reusedBytes) {}
