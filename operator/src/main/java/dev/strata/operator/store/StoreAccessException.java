package dev.strata.operator.store;

/**
 * A SnapshotStore that cannot be opened; {@code reason} is a condition reason, the message says
 * what to fix.
 */
public class StoreAccessException extends RuntimeException {
  private final String reason;

  public StoreAccessException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
