package dev.strata.engine;

/**
 * What one garbage collection found and deleted (in a dry run: would have deleted).
 *
 * @param snapshots committed snapshots (live indexes) whose blobs were kept
 * @param tombstones tombstones of forgotten snapshots found, young and expired
 * @param tombstonesDeleted tombstones older than the grace period, deleted
 * @param blobsScanned blobs listed in the store (format-1 objects and blobs in packs)
 * @param blobsReferenced distinct blobs that live snapshots and young tombstones reference
 * @param blobsDeleted unreferenced blobs deleted: format-1 objects, and blobs in packs deleted or
 *     repacked
 * @param bytesDeleted the space freed: format-1 objects deleted, and packs deleted, less what
 *     repacking wrote
 * @param blobsKeptYoung unreferenced format-1 blobs kept because they are younger than the grace
 *     period (an in-flight backup may be about to reference them) or a backup restarted their age
 *     while the collector ran
 * @param progressObjectsDeleted progress and pending objects older than the grace period (left by
 *     runs that died)
 * @param dryRun nothing was deleted; the counts say what would have been
 * @param durationMs how long the collection took
 * @param packs packs listed
 * @param packsDeleted packs deleted: none of their blobs referenced, or repacked
 * @param packsRepacked packs whose referenced blobs were copied into new packs (their live fraction
 *     was below the threshold, or they were small)
 * @param bytesRepacked bytes those copies wrote
 * @param packsKeptYoung unreferenced or sparse packs kept: younger than the grace period, listed by
 *     a running backup's pending object, or refreshed by a backup while the collector ran
 * @param packsIndexed packs no index file listed (their index file was lost, or orphans of failed
 *     backups) listed in a new index file from their own headers (in a dry run: would be; the plan
 *     counts them as indexed)
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
    long durationMs,
    long packs,
    long packsDeleted,
    long packsRepacked,
    long bytesRepacked,
    long packsKeptYoung,
    long packsIndexed) {

  /**
   * A report without packs (a store of format 1 only, or a report from a runner before format 2).
   */
  public GcReport(
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
      long durationMs) {
    this(
        snapshots,
        tombstones,
        tombstonesDeleted,
        blobsScanned,
        blobsReferenced,
        blobsDeleted,
        bytesDeleted,
        blobsKeptYoung,
        progressObjectsDeleted,
        dryRun,
        durationMs,
        0,
        0,
        0,
        0,
        0,
        0);
  }
}
