package dev.strata.operator.runner;

import dev.strata.operator.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a run's reconcile does: the status to write, objects to create (the runner Job, at most one
 * in the run's life, and a restore's target PVC), Events to record, when to look again, and a
 * finished Job to release once the result it produced is recorded, and a Job to let go (its {@link
 * RunnerJobs#RESULT_FINALIZER} removed) once the run's end is recorded.
 */
public record RunDecision<S>(
    S status,
    List<HasMetadata> create,
    List<EventRecorder.Event> events,
    Optional<Duration> requeueAfter,
    Optional<Job> release,
    Optional<Job> letGo) {

  public RunDecision(
      S status,
      List<HasMetadata> create,
      List<EventRecorder.Event> events,
      Optional<Duration> requeueAfter,
      Optional<Job> release) {
    this(status, create, events, requeueAfter, release, Optional.empty());
  }

  public RunDecision<S> lookAgainIn(Duration after) {
    return new RunDecision<>(status, create, events, Optional.of(after), release, letGo);
  }

  /** The same decision with these Events recorded before its own. */
  public RunDecision<S> withEventsFirst(List<EventRecorder.Event> first) {
    if (first.isEmpty()) {
      return this;
    }
    List<EventRecorder.Event> all = new java.util.ArrayList<>(first);
    all.addAll(events);
    return new RunDecision<>(status, create, all, requeueAfter, release, letGo);
  }

  /** The same decision writing another status. */
  public RunDecision<S> withStatus(S other) {
    return new RunDecision<>(other, create, events, requeueAfter, release, letGo);
  }

  /** The Job this decision creates, if it creates one. */
  public Optional<Job> createdJob() {
    return create.stream().filter(Job.class::isInstance).map(Job.class::cast).findFirst();
  }
}
