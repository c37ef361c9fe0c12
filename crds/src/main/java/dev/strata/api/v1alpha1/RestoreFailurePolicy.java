package dev.strata.api.v1alpha1;

/** What a pod does when its automatic restore fails. */
public enum RestoreFailurePolicy {
  /**
   * The pod does not start: its restore init container fails and is retried as the pod's
   * restartPolicy says.
   */
  Fail,
  /**
   * The failure is recorded and the pod starts with its volume as it was (a failed restore never
   * changes it).
   */
  Continue
}
