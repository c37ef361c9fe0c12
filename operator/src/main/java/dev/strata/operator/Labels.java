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

  /** On StateSnapshots a schedule made: the schedule, and the retention policy that governs them. */
  public static final String SCHEDULE = "strata.dev/schedule";
  public static final String RETENTION_POLICY = "strata.dev/retention-policy";
  /** On StateSnapshots a schedule made: the scheduled time (RFC 3339) retention counts by. */
  public static final String SCHEDULED_TIME = "strata.dev/scheduled-time";
  /** On garbage-collection Jobs: the SnapshotStore they collect. */
  public static final String STORE = "strata.dev/snapshotstore";

  private Labels() {}
}
