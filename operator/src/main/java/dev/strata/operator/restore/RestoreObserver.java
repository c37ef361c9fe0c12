package dev.strata.operator.restore;

import dev.strata.operator.ClaimUser;
import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.operator.RunnerNames;
import dev.strata.operator.snapshot.RunnerOutcome;
import dev.strata.operator.snapshot.SnapshotObserver;
import dev.strata.operator.store.ProgressReader;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Gathers a RestoreObservation from the API server (and the runner's progress from the store). */
public final class RestoreObserver {

  private final ProgressReader progress;
  private final Clock clock;

  public RestoreObserver(ProgressReader progress, Clock clock) {
    this.progress = progress;
    this.clock = clock;
  }

  public RestoreObservation observe(StateRestore r, KubernetesClient client, Optional<Job> cachedJob) {
    String ns = r.getMetadata().getNamespace();
    SnapshotPhase phase = r.getStatus() == null ? null : r.getStatus().phase();
    if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
      // Only the cached Job: a finished one is released (RunnerJobs), nothing else is looked at again.
      return new RestoreObservation(r, List.of(), Optional.empty(), Optional.empty(), Optional.empty(), cachedJob,
          Optional.empty(), Optional.empty(), clock.instant());
    }
    Optional<Job> job = cachedJob.isPresent()
        ? cachedJob
        : Optional.ofNullable(client.batch().v1().jobs().inNamespace(ns).withName(RestoreJobBuilder.jobName(r)).get());
    ResolvedSnapshot pinned = r.getStatus() == null ? null : r.getStatus().resolvedSnapshot();
    List<StateSnapshot> snapshots = pinned == null
        ? client.resources(StateSnapshot.class).inNamespace(ns).list().getItems()
        : List.of();
    String storeName = r.getSpec().storeRef() != null ? r.getSpec().storeRef().name()
        : pinned != null ? pinned.storeRef()
        : storeOfSource(r, snapshots);
    Optional<SnapshotStore> store = storeName == null ? Optional.empty()
        : Optional.ofNullable(client.resources(SnapshotStore.class).inNamespace(ns).withName(storeName).get());
    String targetPvc = r.getSpec().target().pvc();
    Optional<PersistentVolumeClaim> pvc = Optional.empty();
    Optional<ClaimUser> node = Optional.empty();
    Optional<RunnerOutcome> outcome = Optional.empty();
    Optional<TransferProgress> live = Optional.empty();
    if (job.isEmpty()) {
      pvc = Optional.ofNullable(client.persistentVolumeClaims().inNamespace(ns).withName(targetPvc).get());
      node = SnapshotObserver.userOf(client, ns, targetPvc);
    } else if (SnapshotObserver.finished(job.get())) {
      outcome = RunnerOutcome.fromPods(client.pods().inNamespace(ns).withLabel("job-name", job.get().getMetadata().getName()).list().getItems());
    } else if (store.isPresent()) {
      live = progress.read(store.get(), RunnerNames.progressObject(r));
    }
    return new RestoreObservation(r, snapshots, store, pvc, node, job, outcome, live, clock.instant());
  }

  /** Before the snapshot is pinned, the store is the one of the snapshot the source resolves to. */
  private static String storeOfSource(StateRestore r, List<StateSnapshot> snapshots) {
    RestoreResolver.Resolution res = RestoreResolver.resolve(r, snapshots);
    return res instanceof RestoreResolver.Resolved ok ? ok.snapshot().storeRef() : null;
  }
}
