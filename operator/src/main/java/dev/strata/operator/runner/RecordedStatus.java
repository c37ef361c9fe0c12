package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.operator.Conditions;
import dev.strata.operator.KStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What every kind's {@link RunStatus} reads from the status recorded so far, and how it sets the
 * Ready condition.
 */
public abstract class RecordedStatus<S, R> implements RunStatus<S, R> {

  /** Where a kind's status record keeps what every run records. */
  public record Fields<S>(
      Function<S, SnapshotPhase> phase,
      Function<S, List<Condition>> conditions,
      Function<S, String> jobName,
      Function<S, String> startTime) {}

  protected final S old;
  protected final Instant now;
  protected final Long generation;
  private final Fields<S> fields;

  protected RecordedStatus(S old, Instant now, Long generation, Fields<S> fields) {
    this.old = old;
    this.now = now;
    this.generation = generation;
    this.fields = fields;
  }

  private SnapshotPhase phaseOf(S status) {
    return fields.phase().apply(status);
  }

  private List<Condition> conditionsOf(S status) {
    return fields.conditions().apply(status);
  }

  private String jobNameOf(S status) {
    return fields.jobName().apply(status);
  }

  private String startTimeOf(S status) {
    return fields.startTime().apply(status);
  }

  @Override
  public S recorded() {
    return old;
  }

  @Override
  public SnapshotPhase phase() {
    return old == null ? null : phaseOf(old);
  }

  @Override
  public Optional<String> readyReason() {
    return old == null
        ? Optional.empty()
        : Conditions.find(conditionsOf(old), Conditions.READY).map(Condition::getReason);
  }

  @Override
  public String recordedJobName() {
    return old == null ? null : jobNameOf(old);
  }

  /** The conditions with Ready set, and Reconciling and Stalled to match (KStatus). */
  protected List<Condition> conditions(String status, String reason, String message) {
    return KStatus.ready(
        old == null ? null : conditionsOf(old), status, reason, message, generation, now);
  }

  /**
   * The conditions of a run that failed: Ready False and Stalled True (a failed run is never
   * retried).
   */
  protected List<Condition> failedConditions(String reason, String message) {
    return KStatus.ended(old == null ? null : conditionsOf(old), reason, message, generation, now);
  }

  /**
   * When the run started: as recorded, or now (a restarted operator may see a run end before it
   * recorded its start).
   */
  protected String startTime() {
    return old == null || startTimeOf(old) == null ? now.toString() : startTimeOf(old);
  }

  /** The start as recorded, or null. */
  protected String recordedStartTime() {
    return old == null ? null : startTimeOf(old);
  }
}
