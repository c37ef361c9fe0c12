package dev.strata.api.v1alpha1;

/** Live counters of a runner; never 100% before the work has committed. */
public record TransferProgress(Long filesDone, Long filesTotal, Long bytesDone, Long bytesTotal, Long bytesPerSecond) {}
