package dev.strata.engine.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a successful backup reports (the runner's result file and {@code --json}), and what the
 * operator records in a StateSnapshot's status.
 *
 * @param previousSnapshotId the snapshot this one was diffed against; null for a source's first
 * @param indexKey the index's object key, relative to the store root
 * @param changedFiles files that kept changing while read and were recorded as the policy says (at
 *     most 20 names; {@code changedFilesCount} says how many); absent when none did, as {@code
 *     vanishedFiles}
 * @param storedBytes what the new blobs take in the store, compressed (and sealed); null from a
 *     runner before format 2
 * @param packsWritten the packs this backup uploaded; null from a runner before format 2
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
    long durationMs,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> changedFiles,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer changedFilesCount,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> vanishedFiles,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer vanishedFilesCount,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long storedBytes,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long packsWritten) {

  public BackupReport(
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
      long durationMs,
      List<String> changedFiles,
      Integer changedFilesCount,
      List<String> vanishedFiles,
      Integer vanishedFilesCount) {
    this(
        snapshotId,
        sourceId,
        previousSnapshotId,
        indexKey,
        files,
        directories,
        symlinks,
        totalBytes,
        uploadedBytes,
        reusedBytes,
        durationMs,
        changedFiles,
        changedFilesCount,
        vanishedFiles,
        vanishedFilesCount,
        null,
        null);
  }
}
