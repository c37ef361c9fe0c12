package dev.strata.api.v1alpha1;

/** Where a snapshot or restore is in its life. */
public enum SnapshotPhase {
  Pending,
  Running,
  Succeeded,
  Failed
}
