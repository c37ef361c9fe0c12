package dev.strata.engine.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a verification reports (the runner's result file and {@code --json}), whether or not it
 * found damage: a verification that ran to its end reports, and its exit code says whether every
 * snapshot was whole.
 *
 * @param snapshots snapshots checked
 * @param damagedSnapshots snapshots with a missing or corrupt blob, or an index that cannot be read
 * @param damaged the ids of the first 20 of them (a result must fit a termination message)
 * @param readData whether every blob's content was read and hashed, or only its size looked at
 * @param repaired with {@code --repair}: blobs removed as corrupt plus blobs marked damaged (the
 *     next backup that still holds their content stores them again); null without it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyReport(
    long snapshots,
    long damagedSnapshots,
    List<String> damaged,
    long blobsChecked,
    long bytesChecked,
    boolean readData,
    Long blobsRemoved,
    Long blobsMarkedDamaged,
    long durationMs) {

  public static final int MAX_IDS = 20;
}
