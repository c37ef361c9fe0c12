package dev.strata.api.v1alpha1;

/** What a schedule does when a run is due while a snapshot it made earlier is still running. */
public enum ConcurrencyPolicy {
  /** Skip the due run. */
  Forbid,
  /** Start the due run anyway. */
  Allow,
  /** Stop the running snapshot (delete it) and start the due run. */
  Replace
}
