package dev.strata.api.v1alpha1;

/** What a hook that fails (non-zero exit, timeout, no pod to run in) does to its snapshot. */
public enum HookErrorPolicy {
  /**
   * The StateSnapshot fails (a pre hook: no backup runs; post hooks still run, to undo what the pre
   * hooks did).
   */
  Fail,
  /** A Warning Event and the hook's result in the status; the snapshot goes on. */
  Continue
}
