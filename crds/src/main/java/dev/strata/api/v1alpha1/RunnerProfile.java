package dev.strata.api.v1alpha1;

/**
 * Who a runner pod runs as, and so which files it can read and whose they are after a restore
 * (docs/operations.md).
 */
public enum RunnerProfile {
  /**
   * Non-root, no capabilities: as the user, group and fsGroup of a pod that uses the volume (or
   * runAsUser/runAsGroup, or the operator's runner user). Reads what that user may read; restored
   * files belong to that user. Pod Security level "restricted".
   */
  Restricted,
  /**
   * Root with only CAP_CHOWN, CAP_FOWNER and CAP_DAC_OVERRIDE (all others dropped), a read-only
   * root filesystem, no service-account token, no privilege escalation: reads every file whatever
   * its owner and mode, and restores every file's owner, group and mode. Pod Security level
   * "baseline".
   */
  FileOwner
}
