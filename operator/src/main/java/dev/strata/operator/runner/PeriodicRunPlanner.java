package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.StoreRunStatus;
import dev.strata.engine.report.RunError;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The lifecycle every run a store starts on its own shares (garbage collections, verifications):
 * the newest finished Job, when it ended after the one the status records, becomes the status; a
 * new Job starts when one is due, the store is ready, the kind is not suspended and none of its
 * Jobs runs. A kind brings only what is its own: how its status is read and written, what makes it
 * due, its Job. Pure.
 *
 * @param <S> the kind's status (GarbageCollectionStatus, VerificationStatus)
 * @param <R> its runner's report (GcReport, VerifyReport)
 * @param recorded the kind's last run in a store's status
 * @param toStatus the status of a finished Job, from what its runner reported (null: nothing)
 * @param jobs the kind's Job, due at a time, for a reason
 */
public record PeriodicRunPlanner<S extends StoreRunStatus, R>(
    Function<SnapshotStoreStatus, S> recorded,
    BiFunction<Job, RunnerOutcome<R>, S> toStatus,
    JobBuilder jobs) {

  /** What holds a new run back besides one that still runs. */
  public record Guard(boolean ready, boolean suspended) {}

  /**
   * What makes the next run due: a request (at once, whatever the schedule), or a UTC cron schedule
   * since the last run (or the store's creation), or nothing.
   *
   * @param reason why the Job runs, its {@code strata.dev/reason}
   */
  public record Due(Instant requested, String schedule, String created, String reason) {

    public static Due requested(Instant at, String reason) {
      return new Due(at, null, null, reason);
    }

    /**
     * @param created the store's creation: a kind never run waits for its first due time after it
     */
    public static Due schedule(String cron, String created) {
      return new Due(null, cron, created, "schedule");
    }

    public static Due never() {
      return new Due(null, null, null, null);
    }

    /** When the run is due, given the end of the last one (or null). */
    Optional<Instant> at(String last, Instant now) {
      if (requested != null) {
        return Optional.of(requested);
      }
      return schedule == null ? Optional.empty() : PeriodicRuns.due(schedule, last, created, now);
    }
  }

  /**
   * Why a finished run failed, as its status says it: {@code DeadlineExceeded} when its Job's
   * {@code activeDeadlineSeconds} stopped it (the reason a snapshot or restore so stopped gets),
   * with which deadline ran out and what to do; otherwise the reason {@link FailureReasons} gives
   * its runner's cause, and the runner's message.
   */
  public record Failure(String reason, String message) {

    public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";

    /**
     * @param job the finished Job
     * @param outcome what the runner reported, or null when it left nothing
     * @param noResult the message when it left nothing
     * @param deadline the kind's deadline, as the message of a run it stopped names it
     */
    public static Failure of(
        Job job, RunnerOutcome<?> outcome, String noResult, Deadline deadline) {
      if (RunnerJobs.deadlineExceeded(job)) {
        return new Failure(DEADLINE_EXCEEDED, deadline.message(RunnerJobs.deadlineSeconds(job)));
      }
      if (outcome == null) {
        return new Failure(FailureReasons.reason(RunError.Cause.INTERNAL), noResult);
      }
      RunError why = outcome.failure();
      return new Failure(FailureReasons.reason(why.cause()), why.message());
    }
  }

  /**
   * A kind's runner deadline, as the message of a run it stopped says it: "the {@code runner} did
   * not finish within {@code limit} (N s): {@code remedy}".
   *
   * @param runner what ran ("the collector", "the verification")
   * @param limit the deadline: the field that sets it, or what it is when no field does
   * @param remedy how to raise it, or what to do instead
   */
  public record Deadline(String runner, String limit, String remedy) {

    String message(Long seconds) {
      return runner
          + " did not finish within "
          + limit
          + (seconds == null ? "" : " (" + seconds + " s)")
          + ": "
          + remedy;
    }
  }

  /** A kind's Job, due at a time, for a reason ("schedule", "retention"). */
  @FunctionalInterface
  public interface JobBuilder {
    Job build(SnapshotStore store, Instant when, String reason);
  }

  /**
   * @param runs the kind's Jobs of this store
   * @param outcomes what finished runners reported, by Job name
   */
  public PeriodicRun<S> plan(
      SnapshotStore store,
      Guard guard,
      List<Job> runs,
      Map<String, RunnerOutcome<R>> outcomes,
      Due due,
      Instant now) {
    S last = store.getStatus() == null ? null : recorded.apply(store.getStatus());
    Optional<Job> newer = PeriodicRuns.newerFinished(runs, last == null ? null : last.time());
    if (newer.isPresent()) {
      last = toStatus.apply(newer.get(), outcomes.get(newer.get().getMetadata().getName()));
    }
    if (!guard.ready() || guard.suspended() || PeriodicRuns.anyActive(runs)) {
      return new PeriodicRun<>(Optional.empty(), last, newer);
    }
    return new PeriodicRun<>(
        due.at(last == null ? null : last.time(), now)
            .map(when -> jobs.build(store, when, due.reason())),
        last,
        newer);
  }
}
