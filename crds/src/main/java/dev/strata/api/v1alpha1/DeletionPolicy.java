package dev.strata.api.v1alpha1;

/** What happens to a snapshot in the store when its StateSnapshot object is deleted. */
public enum DeletionPolicy {
  /** Remove the snapshot's index from the store; its blobs are left to garbage collection. */
  Delete,
  /** Keep the snapshot in the store. */
  Retain
}
