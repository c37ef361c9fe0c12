package dev.strata.api.v1alpha1;

/** How a pod's automatic restore ended. */
public enum PodRestoreResult {
  /** The latest snapshot of the pod's source was restored. */
  Restored,
  /** The source had no snapshot yet: the pod started with its volume as it was. */
  FreshStart,
  /** The restore failed. */
  Failed
}
