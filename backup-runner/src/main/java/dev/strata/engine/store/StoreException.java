package dev.strata.engine.store;

/**
 * A store request that failed. {@link Kind} decides what callers do: a TRANSIENT failure is retried with backoff, any
 * other fails at once. The message says what happened and, for permanent failures, what to fix.
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

  private final Kind kind;

  public StoreException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public StoreException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }
}
