package dev.strata.engine;

/**
 * What one garbage collection found and deleted (in a dry run: would have deleted).
 *
 * @param snapshots committed snapshots (live indexes) whose blobs were kept
 * @param tombstones tombstones of forgotten snapshots found, young and expired
 * @param tombstonesDeleted tombstones older than the grace period, deleted
 * @param blobsScanned blobs listed in the store
 * @param blobsReferenced distinct blobs that live snapshots and young tombstones reference
 * @param blobsDeleted unreferenced blobs older than the grace period, deleted
 * @param bytesDeleted the size of the deleted blobs
 * @param blobsKeptYoung unreferenced blobs kept because they are younger than the grace period (an in-flight backup may
 *     be about to reference them) or a backup restarted their age while the collector ran
 * @param progressObjectsDeleted progress objects older than the grace period (left by runs that died), deleted
 * @param dryRun nothing was deleted; the counts say what would have been
 * @param durationMs how long the collection took
 */
public record GcReport(
    long snapshots,
    long tombstones,
    long tombstonesDeleted,
    long blobsScanned,
    long blobsReferenced,
    long blobsDeleted,
    long bytesDeleted,
    long blobsKeptYoung,
    long progressObjectsDeleted,
    boolean dryRun,
    long durationMs) {}
