package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.TransferProgress;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Optional;

/**
 * Gathers a {@link RunObservation} from the caches: the Job from the controller's informer (which
 * learns of a Job the moment it is created), the runner's result from the pod informer once the Job
 * has ended, and its progress from the store while it runs, or why its pod has not started while it
 * waits (from the pod informer too). A run that has ended looks only at its Job, to release it.
 */
public final class RunObserver<R> {

  private final Class<R> reportType;
  private final ProgressSource progress;
  private final Clock clock;

  public RunObserver(Class<R> reportType, ProgressSource progress, Clock clock) {
    this.reportType = reportType;
    this.progress = progress;
    this.clock = clock;
  }

  public RunObservation<R> observe(
      HasMetadata owner,
      boolean ended,
      Optional<Job> job,
      RunPods<?> pods,
      KubernetesClient client,
      Optional<SnapshotStore> store) {
    if (ended || job.isEmpty()) {
      return RunObservation.none(owner, job, clock.instant());
    }
    String ns = owner.getMetadata().getNamespace();
    if (RunnerJobs.finished(job.get())) {
      return new RunObservation<>(
          owner,
          job,
          pods.outcome(client, ns, job.get().getMetadata().getName(), reportType),
          Optional.empty(),
          clock.instant());
    }
    Optional<RunnerWaiting> waiting = pods.waiting(ns, job.get().getMetadata().getName());
    Optional<TransferProgress> live =
        waiting.filter(w -> !RunnerWaiting.NO_POD.equals(w)).isPresent()
            ? Optional.empty()
            : store.flatMap(s -> progress.read(s, RunnerNames.progressObject(owner)));
    return new RunObservation<>(owner, job, Optional.empty(), live, waiting, clock.instant());
  }
}
