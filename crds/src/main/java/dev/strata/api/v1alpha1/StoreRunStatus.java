package dev.strata.api.v1alpha1;

/**
 * What the status of a run a store starts on its own says, whatever the kind (a garbage collection,
 * a verification): when it ended, its result, and why it failed.
 */
public interface StoreRunStatus {

  /** When it finished (RFC 3339). */
  String time();

  /** Succeeded or Failed. */
  String result();

  /** Why it failed, one CamelCase word; null when it did not. */
  String reason();

  /** What it did, or why it failed. */
  String message();
}
