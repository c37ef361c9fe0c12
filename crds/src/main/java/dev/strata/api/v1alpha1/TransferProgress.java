package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Live counters of a runner; never 100% before the work has committed. */
public record TransferProgress(
    @JsonPropertyDescription("Files done so far.") Long filesDone,
    @JsonPropertyDescription("Files to do in all (known once the runner has listed them).")
        Long filesTotal,
    @JsonPropertyDescription("Bytes done so far.") Long bytesDone,
    @JsonPropertyDescription("Bytes to do in all (known once the runner has listed them).")
        Long bytesTotal,
    @JsonPropertyDescription("Recent transfer rate.") Long bytesPerSecond) {}
