package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.TransferProgress;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Optional;

/**
 * What every run's lifecycle looks at, gathered before anything is decided: its runner Job (from
 * the informer), what the runner reported once its container ended, and its live progress while it
 * runs.
 *
 * @param owner the resource the run belongs to (it owns the Job)
 * @param waiting why the Job's pod has not started, while it waits for something that does not pass
 *     by itself
 * @param lostResult what a run whose Job vanished before its result was read left in the store (a
 *     backup's committed index): looked for only when the run is Running and has no Job
 */
public record RunObservation<R>(
    HasMetadata owner,
    Optional<Job> job,
    Optional<RunnerOutcome<R>> outcome,
    Optional<TransferProgress> progress,
    Optional<RunnerWaiting> waiting,
    Instant now,
    Optional<R> lostResult) {

  public RunObservation(
      HasMetadata owner,
      Optional<Job> job,
      Optional<RunnerOutcome<R>> outcome,
      Optional<TransferProgress> progress,
      Optional<RunnerWaiting> waiting,
      Instant now) {
    this(owner, job, outcome, progress, waiting, now, Optional.empty());
  }

  public RunObservation(
      HasMetadata owner,
      Optional<Job> job,
      Optional<RunnerOutcome<R>> outcome,
      Optional<TransferProgress> progress,
      Instant now) {
    this(owner, job, outcome, progress, Optional.empty(), now);
  }

  /** The same, with what a vanished Job's run left in the store. */
  public RunObservation<R> withLostResult(Optional<R> found) {
    return new RunObservation<>(owner, job, outcome, progress, waiting, now, found);
  }

  /** Before the runner has anything to say: for deciders' tests and runs not started. */
  public static <R> RunObservation<R> none(HasMetadata owner, Optional<Job> job, Instant now) {
    return new RunObservation<>(owner, job, Optional.empty(), Optional.empty(), now);
  }
}
