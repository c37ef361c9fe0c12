package dev.strata.operator.store;

/**
 * The result of checking a store: usable or not, with a condition reason and a message a person can
 * act on.
 */
public record StoreCheck(boolean ready, String reason, String message) {
  public static StoreCheck ok(String location) {
    return new StoreCheck(
        true, "Reachable", "bucket reachable with the referenced credentials at " + location);
  }
}
