package dev.strata.api.v1alpha1;

/** What happens to a schedule's StateSnapshots when the schedule is deleted. */
public enum SnapshotsOnDelete {
  /** They stay, as standalone StateSnapshots. */
  Orphan,
  /** They are deleted with it (and each one's deletionPolicy then decides about the store). */
  Delete
}
