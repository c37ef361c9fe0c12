package dev.strata.operator;

/** Label and annotation keys the operator sets. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "strata-operator";
  public static final String NAME = "app.kubernetes.io/name";
  public static final String RUNNER = "strata-runner";

  /** On runner Jobs and pods: the StateSnapshot they serve. */
  public static final String SNAPSHOT = "strata.dev/statesnapshot";

  /** On runner Jobs and pods: backup or restore. */
  public static final String OPERATION = "strata.dev/operation";

  /** Mirrored onto StateSnapshots so `kubectl get -l` can filter. */
  public static final String PHASE = "strata.dev/phase";

  public static final String PVC = "strata.dev/pvc";
  public static final String SOURCE = "strata.dev/source";

  /**
   * On StateSnapshots a schedule made: the schedule, and the retention policy that governs them.
   */
  public static final String SCHEDULE = "strata.dev/schedule";

  public static final String RETENTION_POLICY = "strata.dev/retention-policy";

  /** On StateSnapshots a schedule made: the scheduled time (RFC 3339) retention counts by. */
  public static final String SCHEDULED_TIME = "strata.dev/scheduled-time";

  /**
   * On garbage-collection and verification Jobs: the SnapshotStore they work on; on imported
   * StateSnapshots, the store they came from.
   */
  public static final String STORE = "strata.dev/snapshotstore";

  /**
   * On StateSnapshots a store's catalog imported ("true"): the operator's own objects, for
   * snapshots that had none here.
   */
  public static final String IMPORTED = "strata.dev/imported";

  /**
   * On imported StateSnapshots: the cluster (when named) and namespace of the PVC the snapshot was
   * taken of.
   */
  public static final String SOURCE_CLUSTER = "strata.dev/source-cluster";

  public static final String SOURCE_NAMESPACE = "strata.dev/source-namespace";

  /**
   * On imported StateSnapshots: the schedule that made the snapshot in its cluster (not this
   * cluster's schedule label).
   */
  public static final String ORIGIN_SCHEDULE = "strata.dev/origin-schedule";

  /**
   * On imported StateSnapshots: when the snapshot was taken (RFC 3339), which "latest" and asOf
   * count by.
   */
  public static final String TAKEN_AT = "strata.dev/taken-at";

  /**
   * On imported StateSnapshots: who made the snapshot, as its index says (kind/namespace/name/uid
   * of a StateSnapshot).
   */
  public static final String CREATED_BY = "strata.dev/created-by";

  /**
   * An annotation on a StateSnapshot: {@code Retain} keeps its snapshot in the store when the
   * object is deleted, whatever its (immutable) spec.deletionPolicy says: the way out for a deleted
   * snapshot whose store can no longer be written (stuck Terminating, CleanupFailed).
   */
  public static final String DELETION_POLICY = "strata.dev/deletion-policy";

  /**
   * On StateSnapshots a grouped schedule made (statefulSet, pvcSelector): the group, one run's
   * snapshots of all its PVCs ({@code <schedule>-<yyyyMMdd-HHmm>}), and how many PVCs it has. Both
   * go into each snapshot's index, so a cluster that imports the snapshots rebuilds the group (and
   * knows whether it is whole).
   */
  public static final String GROUP = "strata.dev/group";

  public static final String GROUP_SIZE = "strata.dev/group-size";

  /** On the StateRestores a group restore creates, one per member: the group restore. */
  public static final String GROUP_RESTORE = "strata.dev/group-restore";

  /** The prefix of the labels a backup records in its index, and an import gives back. */
  public static final String PREFIX = "strata.dev/";

  private Labels() {}
}
