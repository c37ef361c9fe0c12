package dev.strata.engine.store;

/**
 * A store request that failed. {@link Kind} decides what callers do: a TRANSIENT failure is retried
 * with backoff, any other fails at once. The message says what happened and, for permanent
 * failures, what to fix.
 */
public class StoreException extends RuntimeException {

  public enum Kind {
    /** 5xx, SlowDown, connection reset or refused, timeout: a retry may succeed. */
    TRANSIENT,
    /** Bad credentials, missing bucket, no permission, invalid request: a retry cannot help. */
    PERMANENT,
    /** The object does not exist. */
    NOT_FOUND,
    /** The store received or returned bytes that do not match their checksum. */
    INTEGRITY
  }

  /**
   * What went wrong, finer than {@link Kind}, for whoever reports it (the runner's result, a
   * store's Ready condition): set where the store's own error is classified, so nobody parses a
   * message to tell access denied from a bad key.
   */
  public enum Reason {
    /** No answer, or the store keeps failing: network, DNS, connection refused, timeouts, 5xx. */
    UNREACHABLE,
    /** The credentials are valid, but the key's policy does not allow the request. */
    ACCESS_DENIED,
    /** The access key is unknown, expired, or the secret key does not match it. */
    INVALID_CREDENTIALS,
    /** The endpoint's TLS certificate is not trusted, or not issued for its host name. */
    UNTRUSTED_CERTIFICATE,
    /** The bucket does not exist. */
    BUCKET_MISSING,
    /**
     * Any other refusal a retry cannot help: wrong region, skewed clock, invalid bucket name, not
     * an S3 server.
     */
    REJECTED,
    /** The object does not exist. */
    NOT_FOUND,
    /** Bytes that do not match their checksum. */
    INTEGRITY;

    static Reason of(Kind kind) {
      return switch (kind) {
        case TRANSIENT -> UNREACHABLE;
        case PERMANENT -> REJECTED;
        case NOT_FOUND -> NOT_FOUND;
        case INTEGRITY -> INTEGRITY;
      };
    }
  }

  private final Kind kind;
  private final Reason reason;

  public StoreException(Kind kind, String message) {
    this(kind, Reason.of(kind), message, null);
  }

  public StoreException(Kind kind, String message, Throwable cause) {
    this(kind, Reason.of(kind), message, cause);
  }

  public StoreException(Kind kind, Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.reason = reason;
  }

  public Kind kind() {
    return kind;
  }

  public Reason reason() {
    return reason;
  }

  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }
}
