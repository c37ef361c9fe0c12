package dev.strata.api.v1alpha1;

/** What a restore does with what the target already holds. */
public enum RestoreMode {
  /** Refuse a target that holds anything. */
  IfEmpty,
  /** Write every file of the snapshot over what is there; leave other files. */
  Overwrite,
  /**
   * Make the target equal the snapshot: fetch only missing or changed files, remove files the
   * snapshot lacks.
   */
  Sync
}
