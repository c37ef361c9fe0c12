package dev.strata.engine.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a successful restore reports: either the snapshot it restored, or, with {@code --if-none
 * fresh-start}, that the source had no snapshot yet and nothing was restored ({@code restored}
 * false, with {@code reason} and {@code sourceId}). Figures are null in the second case.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreReport(
    boolean restored,
    String reason,
    String snapshotId,
    String sourceId,
    String target,
    String mode,
    Long files,
    Long totalBytes,
    Long downloadedBytes,
    Long reusedBytes,
    Long durationMs) {

  public static RestoreReport restored(
      String snapshotId,
      String target,
      String mode,
      long files,
      long totalBytes,
      long downloadedBytes,
      long reusedBytes,
      long durationMs) {
    return new RestoreReport(
        true,
        null,
        snapshotId,
        null,
        target,
        mode,
        files,
        totalBytes,
        downloadedBytes,
        reusedBytes,
        durationMs);
  }

  public static RestoreReport freshStart(String sourceId, String target) {
    return new RestoreReport(
        false,
        "no snapshot of " + sourceId + " yet",
        null,
        sourceId,
        target,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
