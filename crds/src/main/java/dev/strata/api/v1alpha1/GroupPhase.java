package dev.strata.api.v1alpha1;

/** Where a group of snapshots (or of restores) is: one per volume of a workload. */
public enum GroupPhase {
  /** Its objects are being created, or wait for something. */
  Pending,
  /** At least one volume is still running. */
  Running,
  /** Every volume succeeded. */
  Succeeded,
  /** All have ended, some failed: the group cannot be restored whole. */
  PartiallyFailed,
  /** All have ended and all failed. */
  Failed
}
