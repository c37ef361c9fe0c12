package dev.strata.operator.snapshot;

import dev.strata.operator.RunnerJobs;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.Labels;
import dev.strata.operator.RunnerNames;
import dev.strata.operator.store.ProgressReader;
import dev.strata.operator.store.StoreConnector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Gathers a SnapshotObservation: the informer caches first, the API server where a cache may lag. */
public final class SnapshotObserver {


  private final ProgressReader progress;
  private final Clock clock;

  public SnapshotObserver(StoreConnector connector, Clock clock) {
    this.progress = new ProgressReader(connector);
    this.clock = clock;
  }

  public SnapshotObservation observe(StateSnapshot s, KubernetesClient client, Optional<Job> cachedJob, Optional<SnapshotStore> cachedStore) {
    String ns = s.getMetadata().getNamespace();
    SnapshotPhase phase = s.getStatus() == null ? null : s.getStatus().phase();
    boolean terminal = phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
    if (terminal) {
      // Only the cached Job: a finished one is released (RunnerJobs), nothing else is looked at again.
      return new SnapshotObservation(s, cachedStore, Optional.empty(), Optional.empty(), cachedJob, Optional.empty(), Optional.empty(), clock.instant());
    }
    Optional<Job> job = cachedJob;
    if (job.isEmpty()) {
      // A Job created a moment ago may not be in the cache yet; never mistake that for a lost Job.
      job = Optional.ofNullable(client.batch().v1().jobs().inNamespace(ns).withName(RunnerJobBuilder.jobName(s)).get());
    }
    Optional<SnapshotStore> store = cachedStore.isPresent()
        ? cachedStore
        : Optional.ofNullable(client.resources(SnapshotStore.class).inNamespace(ns).withName(s.getSpec().storeRef().name()).get());
    Optional<PersistentVolumeClaim> pvc = Optional.empty();
    Optional<ClaimUser> node = Optional.empty();
    Optional<RunnerOutcome> outcome = Optional.empty();
    Optional<TransferProgress> progress = Optional.empty();
    if (job.isEmpty()) {
      pvc = Optional.ofNullable(client.persistentVolumeClaims().inNamespace(ns).withName(s.getSpec().source().pvcName()).get());
      node = userOf(client, ns, s.getSpec().source().pvcName());
    } else if (finished(job.get())) {
      outcome = RunnerOutcome.fromPods(
          client.pods().inNamespace(ns).withLabel("job-name", job.get().getMetadata().getName()).list().getItems());
    } else if (store.isPresent()) {
      progress = readProgress(s, store.get());
    }
    return new SnapshotObservation(s, store, pvc, node, job, outcome, progress, clock.instant());
  }

  public static boolean finished(Job job) {
    return RunnerJobs.finished(job);
  }

  /** A running (or starting) pod that mounts the PVC, other than Strata's own runners: its node and user. */
  public static Optional<ClaimUser> userOf(KubernetesClient client, String ns, String pvcName) {
    return ClaimUser.find(client.pods().inNamespace(ns).list().getItems(), pvcName);
  }

  private Optional<TransferProgress> readProgress(StateSnapshot s, SnapshotStore store) {
    return progress.read(store, RunnerNames.progressObject(s));
  }

}
