package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The last scheduled verification of a store. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerificationStatus(
    @JsonPropertyDescription("When it finished (RFC 3339).") String time,
    @JsonPropertyDescription(
            "Succeeded when it ran to its end (whatever it found), Failed when it could not.")
        String result,
    @JsonPropertyDescription(
            "Why it could not run, in one CamelCase word (AccessDenied, Unreachable, RunnerFailed...): the reason a snapshot or restore gets for the same runner cause (docs/snapshots.md lists them). Absent when it ran.")
        String reason,
    @JsonPropertyDescription("Snapshots checked.") Long snapshots,
    @JsonPropertyDescription("Snapshots with a missing or corrupt blob, or an unreadable index.")
        Long damagedSnapshots,
    @JsonPropertyDescription("The first 20 damaged snapshots' ids.") List<String> damaged,
    @JsonPropertyDescription("Whether blob contents were read and hashed.") Boolean readData,
    @JsonPropertyDescription(
            "With spec.verification.repair: blobs marked damaged, to be stored again by the next backup.")
        Long blobsMarkedDamaged,
    @JsonPropertyDescription("How long it ran, in milliseconds.") Long durationMs,
    @JsonPropertyDescription("What it found, or why it failed.") String message)
    implements StoreRunStatus {

  /** A run that failed: when it ended, why (a reason), and the runner's message. */
  public static VerificationStatus failed(String time, String reason, String message) {
    return new VerificationStatus(
        time, "Failed", reason, null, null, null, null, null, null, message);
  }
}
