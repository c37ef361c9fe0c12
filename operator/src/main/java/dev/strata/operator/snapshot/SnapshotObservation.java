package dev.strata.operator.snapshot;

import dev.strata.operator.ClaimUser;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.TransferProgress;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Optional;

/**
 * Everything the decider needs about one StateSnapshot, gathered by the reconciler before it decides anything.
 *
 * @param pvcUser a running pod that uses the PVC: its node, where a ReadWriteOnce volume is mounted, and its user
 * @param outcome what the runner reported, once its container has terminated
 * @param progress the runner's live counters from the store, while it runs
 */
public record SnapshotObservation(
    StateSnapshot snapshot,
    Optional<SnapshotStore> store,
    Optional<PersistentVolumeClaim> pvc,
    Optional<ClaimUser> pvcUser,
    Optional<Job> job,
    Optional<RunnerOutcome> outcome,
    Optional<TransferProgress> progress,
    Instant now) {}
