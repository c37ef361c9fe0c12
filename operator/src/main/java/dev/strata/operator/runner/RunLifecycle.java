package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.engine.report.RunError;
import dev.strata.operator.EventRecorder.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The life of every run that has a resource of its own (a StateSnapshot's backup, a StateRestore's
 * restore, and any kind added later): Pending until its kind's preconditions hold, then one runner
 * Job, Running while it runs (with the runner's live progress, or why its pod has not started when
 * it waits for something that does not pass by itself), and Succeeded or Failed from what the
 * runner reported, with a reason from its cause. A run gets at most one Job in its life: once it
 * has ended it never changes again, and a Job that vanished is a failure, not a reason to start
 * over, unless what the run committed was found in the store (the Job expired while no operator
 * ran), which is its success. Every runner Job holds its result (a finalizer on it and its pods,
 * see {@link RunnerJobs#RESULT_FINALIZER}) until the run's end is recorded, so an expired Job is
 * still read, even by an operator that comes back after its TTL; once the end is recorded it is let
 * go. A finished Job is released once the success it produced is recorded. Pure.
 */
public final class RunLifecycle {

  /**
   * @param progressInterval how often a running run's progress is read
   * @param pendingRecheck how soon a run waiting for something looks again
   */
  public record Timing(Duration progressInterval, Duration pendingRecheck) {}

  /**
   * What a kind does once its runner's Job has ended, before the run's end is recorded: work that
   * comes after the runner (a snapshot's post hooks). It gets the end as the lifecycle decided it
   * and answers with that end (perhaps changed), or with a decision that holds the run Running
   * while that work goes on. The Job is kept meanwhile.
   */
  public interface AfterRun<S, R> {
    RunDecision<S> ended(Steps<S, R> steps, RunDecision<S> end, Optional<R> report);

    static <S, R> AfterRun<S, R> none() {
      return (steps, end, report) -> end;
    }
  }

  private RunLifecycle() {}

  /**
   * @param start the kind's preconditions, asked only while no Job exists and the run has not
   *     started: it answers with {@link Steps#pending}, {@link Steps#fail}, {@link Steps#creating}
   *     or {@link Steps#start}
   */
  public static <S, R> RunDecision<S> decide(
      RunObservation<R> o,
      RunStatus<S, R> status,
      Timing timing,
      Function<Steps<S, R>, RunDecision<S>> start) {
    return decide(o, status, timing, start, AfterRun.none());
  }

  /**
   * @param after what the kind does between its Job's end and the run's recorded end
   */
  public static <S, R> RunDecision<S> decide(
      RunObservation<R> o,
      RunStatus<S, R> status,
      Timing timing,
      Function<Steps<S, R>, RunDecision<S>> start,
      AfterRun<S, R> after) {
    SnapshotPhase phase = status.phase();
    if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
      // Its end is recorded: the Job need not hold its result any longer.
      return new RunDecision<>(
          status.recorded(),
          List.of(),
          List.of(),
          Optional.empty(),
          RunnerJobs.releasable(o.job(), o.owner(), phase == SnapshotPhase.Succeeded),
          RunnerJobs.held(o.job(), o.owner()));
    }
    Steps<S, R> steps = new Steps<>(o, status, timing);
    if (o.job().isPresent()) {
      RunDecision<S> d = observed(o, steps, o.job().get(), timing, after);
      // Look again soon after a Job's end (or deletion): once the final status is stored, that look
      // lets go of the Job and releases it.
      Job job = o.job().get();
      return RunnerJobs.finished(job) || job.getMetadata().getDeletionTimestamp() != null
          ? d.lookAgainIn(RunnerJobs.RELEASE_AFTER)
          : d;
    }
    if (phase == SnapshotPhase.Running) {
      if (o.lostResult().isPresent()) {
        // The runner finished while no operator looked, and its Job expired (its TTL) before one
        // did: what it committed is its result, not a failure.
        return steps.succeed(o.lostResult().get());
      }
      return steps.fail(
          "JobLost",
          "the runner Job "
              + status.recordedJobName()
              + " disappeared before it reported a result");
    }
    return start.apply(steps);
  }

  private static <S, R> RunDecision<S> observed(
      RunObservation<R> o, Steps<S, R> steps, Job job, Timing timing, AfterRun<S, R> after) {
    if (!RunnerJobs.ownedBy(job, o.owner())) {
      return steps.fail(
          "JobConflict",
          "a Job named "
              + job.getMetadata().getName()
              + " exists and does not belong to this "
              + steps.status.kind()
              + ": delete it, or use another name");
    }
    if (job.getMetadata().getDeletionTimestamp() != null && !RunnerJobs.finished(job)) {
      // Deleted while its runner ran (by hand, or its namespace going): it will not report.
      return steps.fail(
          "JobLost",
          "the runner Job " + job.getMetadata().getName() + " was deleted before it finished");
    }
    if (RunnerJobs.condition(job, "Complete").isPresent()) {
      Optional<RunnerOutcome<R>> out = o.outcome();
      if (out.isPresent() && out.get().succeeded()) {
        R report = out.get().report().orElseThrow();
        return after.ended(steps, steps.succeed(report), Optional.of(report));
      }
      return after.ended(
          steps,
          steps.fail(
              "ResultMissing",
              out.map(r -> r.failure().message())
                  .orElse("the runner finished but its result could not be read")),
          Optional.empty());
    }
    Optional<JobCondition> failed = RunnerJobs.condition(job, "Failed");
    if (failed.isPresent()) {
      if (RunnerJobs.deadlineExceeded(job)) {
        Long seconds = RunnerJobs.deadlineSeconds(job);
        Optional<String> waited = steps.status.readyReason().filter(RunnerWaiting::isReason);
        if (waited.isPresent()) {
          // Its pod never started: the reason it waited for is the run's failure, not a slow
          // runner.
          String message =
              steps.status.recorded() == null
                  ? null
                  : steps.status.message(steps.status.recorded());
          return after.ended(
              steps,
              steps.fail(waited.get(), RunnerWaiting.deadlinePassed(message, seconds)),
              Optional.empty());
        }
        return after.ended(
            steps,
            steps.fail(
                "DeadlineExceeded",
                "the runner did not finish within spec.activeDeadlineSeconds"
                    + (seconds == null ? "" : " (" + seconds + " s)")
                    + ": raise it, or spec.parallelism"),
            Optional.empty());
      }
      RunError why =
          o.outcome()
              .map(RunnerOutcome::failure)
              .orElse(new RunError(failed.get().getMessage(), RunError.Cause.INTERNAL));
      return after.ended(
          steps,
          steps.fail(FailureReasons.reason(why.cause()), "the runner failed: " + why.message()),
          Optional.empty());
    }
    if (o.waiting().filter(RunnerWaiting.NO_POD::equals).isPresent()
        && steps.status.readyReason().filter(RunnerWaiting::isReason).isPresent()) {
      // The pod it waited for is gone (the deadline deleted it before the Job says so): it still
      // never started.
      return new RunDecision<>(
          steps.status.recorded(),
          List.of(),
          List.of(),
          Optional.of(timing.progressInterval()),
          Optional.empty());
    }
    if (o.waiting().isPresent() && !RunnerWaiting.NO_POD.equals(o.waiting().get())) {
      RunnerWaiting w = o.waiting().get();
      String message =
          w.message(job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds());
      // A Warning when it starts to wait (or waits for something else), not at every look while it
      // waits.
      boolean changed = !steps.status.readyReason().map(w.reason()::equals).orElse(false);
      return new RunDecision<>(
          steps.status.waiting(job.getMetadata().getName(), w.reason(), message),
          List.of(),
          changed ? List.of(Event.warning(w.reason(), message)) : List.of(),
          Optional.of(timing.progressInterval()),
          Optional.empty());
    }
    return new RunDecision<>(
        steps.status.running(job.getMetadata().getName(), o.progress()),
        List.of(),
        List.of(),
        Optional.of(timing.progressInterval()),
        Optional.empty());
  }

  /**
   * The steps a kind's preconditions choose from; each names its status, what to create and the
   * Events.
   */
  public static final class Steps<S, R> {
    private final RunObservation<R> o;
    private final RunStatus<S, R> status;
    private final Timing timing;

    Steps(RunObservation<R> o, RunStatus<S, R> status, Timing timing) {
      this.o = o;
      this.status = status;
      this.timing = timing;
    }

    /**
     * The same steps, written by another status writer (one that knows more, e.g. the snapshot a
     * restore pinned).
     */
    public Steps<S, R> writingWith(RunStatus<S, R> other) {
      return new Steps<>(o, other, timing);
    }

    /**
     * The Job that ran it: the observed one (a restarted operator may see it end before it recorded
     * Running).
     */
    private String jobName() {
      return o.job().map(j -> j.getMetadata().getName()).orElse(status.recordedJobName());
    }

    /**
     * Waiting for something; a Warning only when the reason changes, so a long wait is not an Event
     * storm.
     */
    public RunDecision<S> pending(String reason, String message) {
      boolean changed =
          !status.readyReason().map(reason::equals).orElse(false) || status.recorded() == null;
      return new RunDecision<>(
          status.pending(reason, message),
          List.of(),
          changed ? List.of(Event.warning(reason, message)) : List.of(),
          Optional.of(timing.pendingRecheck()),
          Optional.empty());
    }

    /**
     * Getting the run ready (a snapshot's pre hooks): a status of the kind's making, Events as
     * given, a look again soon.
     */
    public RunDecision<S> preparing(S prepared, List<Event> events, Duration recheck) {
      return new RunDecision<>(prepared, List.of(), events, Optional.of(recheck), Optional.empty());
    }

    /** The name of the run's Job, observed or recorded. */
    public String job() {
      return jobName();
    }

    /** Still waiting, but creating something the run needs first (a restore's target PVC). */
    public RunDecision<S> creating(HasMetadata object, String reason, String message) {
      return new RunDecision<>(
          status.pending(reason, message),
          List.of(object),
          List.of(Event.normal(reason, message)),
          Optional.of(timing.pendingRecheck()),
          Optional.empty());
    }

    public RunDecision<S> start(Job job, String message) {
      return new RunDecision<>(
          status.started(job.getMetadata().getName(), message),
          List.of(job),
          List.of(Event.normal("Started", message)),
          Optional.empty(),
          Optional.empty());
    }

    public RunDecision<S> fail(String reason, String message) {
      return new RunDecision<>(
          status.failed(jobName(), reason, message),
          List.of(),
          List.of(Event.warning(reason, message)),
          Optional.empty(),
          Optional.empty());
    }

    RunDecision<S> succeed(R report) {
      S done = status.succeeded(jobName(), report);
      return new RunDecision<>(
          done,
          List.of(),
          List.of(Event.normal("Succeeded", status.message(done))),
          Optional.empty(),
          Optional.empty());
    }
  }
}
