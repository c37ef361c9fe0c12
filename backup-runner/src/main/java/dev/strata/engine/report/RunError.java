package dev.strata.engine.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why a run failed, as the runner writes it to its result file ({@code {"error": "...", "cause":
 * "ACCESS_DENIED"}}): the one-line message a person reads, and a {@link Cause} a program decides
 * by. The operator maps causes to condition reasons without reading the message; {@link
 * dev.strata.engine.RunErrors} classifies what the engine throws. The {@code error} key is the
 * message, as before causes existed, so a reader of either age understands a writer of the other (a
 * missing cause reads as {@link Cause#INTERNAL}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunError(@JsonProperty("error") String message, Cause cause) {

  /**
   * What went wrong, in words that say whose move it is: the store's owner, the workload's, or
   * Strata's.
   */
  public enum Cause {
    /** The store does not answer or keeps failing: network, DNS, a stopped server, 5xx. */
    STORE_UNREACHABLE,
    /** The credentials are valid, but the key's policy does not allow what the run needs. */
    ACCESS_DENIED,
    /** The access key is unknown or expired, or the secret key does not match it. */
    INVALID_CREDENTIALS,
    /** The endpoint's TLS certificate is not trusted or not issued for its host name. */
    UNTRUSTED_CERTIFICATE,
    /** The bucket does not exist. */
    BUCKET_MISSING,
    /**
     * The store refused for another reason a retry cannot fix: region, clock skew, bucket name, not
     * an S3 server.
     */
    STORE_REJECTED,
    /** The snapshot to restore does not exist in the store. */
    SNAPSHOT_MISSING,
    /** A restore in mode empty found files in its target. */
    NOT_EMPTY,
    /**
     * Stored data does not match its checksum, an index cannot be read, or a blob it names is gone.
     */
    CORRUPT_DATA,
    /** A file changed, shrank or vanished while the backup read it. */
    FILE_CHANGED,
    /** The volume could not be read or written (permissions, a full or failing disk). */
    VOLUME_ERROR,
    /** The runner was started with invalid arguments or settings. */
    USAGE,
    /** Anything else: a bug, or a failure nobody classified yet. */
    INTERNAL
  }

  public RunError {
    message =
        message == null || message.isBlank() ? "the runner failed without a message" : message;
    cause = cause == null ? Cause.INTERNAL : cause;
  }
}
