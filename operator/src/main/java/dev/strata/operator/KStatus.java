package dev.strata.operator;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The conditions every Strata resource carries, as kstatus reads them (kubectl wait, Flux, Argo CD,
 * cli-utils): Ready as each reconciler decides it, and Reconciling and Stalled derived from it
 * here, in one place, so that every kind means the same by them.
 *
 * <ul>
 *   <li>Ready True: the resource is usable or its work is done. Reconciling and Stalled are False.
 *   <li>Stalled True: it cannot go on until someone changes something: its spec, a Secret, a PVC,
 *       the bucket's policy. That is every run that ended in failure (a failed StateSnapshot or
 *       StateRestore is never retried), and the waits and refusals in {@link #NEEDS_A_CHANGE}.
 *   <li>Reconciling True: anything else that is not Ready: work in progress (a runner running,
 *       hooks, a PVC binding) or a wait the operator retries by itself (a store that does not
 *       answer).
 * </ul>
 *
 * All three carry the reason Ready has; the one that is True carries its message too. Conditions
 * keep their lastTransitionTime while their status stays, and record the generation they were set
 * for.
 */
public final class KStatus {

  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  /** What a resource is doing, in kstatus's words. */
  public enum State {
    /** Ready. */
    CURRENT,
    /** Reconciling: working, or waiting for something that comes by itself. */
    IN_PROGRESS,
    /** Stalled: waiting for a change only a user can make. */
    STALLED
  }

  /**
   * Reasons (of a Ready condition that is not True) that no retry fixes: the spec is invalid, an
   * object it names is missing, or the store refuses for a reason only its owner can change.
   * docs/troubleshooting.md lists them.
   */
  static final Set<String> NEEDS_A_CHANGE =
      Set.of(
          // the spec
          "InvalidSchedule",
          "InvalidPolicy",
          "InvalidSelector",
          "InvalidSpec",
          // objects the spec names
          "StoreNotFound",
          "PVCNotFound",
          "TargetNotFound",
          "SecretNotFound",
          "SecretKeyMissing",
          "KeySecretNotFound",
          "CABundleNotFound",
          "ServiceAccountNotFound",
          // the store's answer, or the operator's install
          "InvalidCredentials",
          "AccessDenied",
          "BucketNotFound",
          "UntrustedCertificate",
          "StoreError",
          "WebIdentityTokenMissing",
          "WebhookDisabled");

  private KStatus() {}

  /**
   * The state of a resource whose Ready condition is {@code ready} for {@code reason}; {@code
   * ended}: a run that failed.
   */
  public static State state(String ready, String reason, boolean ended) {
    if (Conditions.TRUE.equals(ready)) {
      return State.CURRENT;
    }
    return ended || NEEDS_A_CHANGE.contains(reason) ? State.STALLED : State.IN_PROGRESS;
  }

  /** The conditions with Ready set as given, and Reconciling and Stalled to match. */
  public static List<Condition> ready(
      List<Condition> existing,
      String ready,
      String reason,
      String message,
      Long generation,
      Instant now) {
    return set(existing, ready, reason, message, state(ready, reason, false), generation, now);
  }

  /**
   * The conditions of a run that ended in failure: Ready False and Stalled True, for this reason.
   */
  public static List<Condition> ended(
      List<Condition> existing, String reason, String message, Long generation, Instant now) {
    return set(existing, Conditions.FALSE, reason, message, State.STALLED, generation, now);
  }

  private static List<Condition> set(
      List<Condition> existing,
      String ready,
      String reason,
      String message,
      State state,
      Long generation,
      Instant now) {
    List<Condition> out =
        Conditions.set(existing, Conditions.READY, ready, reason, message, generation, now);
    out =
        Conditions.set(
            out,
            RECONCILING,
            truth(state == State.IN_PROGRESS),
            reason,
            state == State.IN_PROGRESS ? message : "",
            generation,
            now);
    return Conditions.set(
        out,
        STALLED,
        truth(state == State.STALLED),
        reason,
        state == State.STALLED ? message : "",
        generation,
        now);
  }

  private static String truth(boolean b) {
    return b ? Conditions.TRUE : Conditions.FALSE;
  }
}
