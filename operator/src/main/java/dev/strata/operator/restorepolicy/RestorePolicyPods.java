package dev.strata.operator.restorepolicy;

/**
 * Names the restore webhook writes into the pods it mutates, and the reconciler later reads back.
 */
public final class RestorePolicyPods {

  /** The injected init container; a pod that has one is never mutated again. */
  public static final String INIT_CONTAINER = "strata-restore";

  /**
   * Label and annotation: the RestorePolicy that mutated the pod. The label lets the operator watch
   * exactly these pods (informers select by label, not by annotation); the annotation is what
   * people read.
   */
  public static final String POLICY = "strata.dev/restore-policy";

  /**
   * Annotation: the source identity (namespace/pvc/path) whose latest snapshot the pod restores.
   */
  public static final String SOURCE = "strata.dev/restore-source";

  /** Where the init container mounts the pod's volume. */
  public static final String TARGET_MOUNT = "/strata/target";

  /** Volumes added to the pod, prefixed so they cannot collide with the app's own. */
  public static final String TMP_VOLUME = "strata-restore-tmp";

  public static final String CA_VOLUME = "strata-restore-ca";

  private RestorePolicyPods() {}
}
