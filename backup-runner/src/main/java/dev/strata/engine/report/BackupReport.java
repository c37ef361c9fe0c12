package dev.strata.engine.report;

/**
 * What a successful backup reports (the runner's result file and {@code --json}), and what the operator records in a
 * StateSnapshot's status.
 *
 * @param previousSnapshotId the snapshot this one was diffed against; null for a source's first
 * @param indexKey the index's object key, relative to the store root
 */
public record BackupReport(
    String snapshotId,
    String sourceId,
    String previousSnapshotId,
    String indexKey,
    long files,
    long directories,
    long symlinks,
    long totalBytes,
    long uploadedBytes,
    long reusedBytes,
    long durationMs) {
}
