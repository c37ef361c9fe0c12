package dev.strata.engine.report;

/**
 * A running runner's live counters, as it publishes them to {@code progress/<name>.json} in the
 * store and the operator reads them back. Advisory: never 100% before the run has committed (only
 * the result says it is done).
 *
 * @param transferredBytes bytes actually moved to or from the store so far
 * @param totalsKnown whether filesTotal and bytesTotal are final (the scan has ended)
 * @param updatedAt when the counters were taken (RFC 3339)
 */
public record RunProgress(
    long filesDone,
    long filesTotal,
    long bytesDone,
    long bytesTotal,
    long transferredBytes,
    long bytesPerSecond,
    boolean totalsKnown,
    String updatedAt) {}
