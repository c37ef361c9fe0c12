package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.catalog.Listing;
import dev.strata.operator.runner.RunObservation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the restore decider needs about one StateRestore.
 *
 * @param run the runner Job, its result and progress
 * @param snapshots the StateSnapshots of the namespace, from the informer (to resolve the source,
 *     until it is pinned)
 * @param store the store to restore from, once known
 * @param targetUser a running pod that uses the target PVC, if any: its node and user
 * @param catalog the last listing of the store's catalog (for source.fromStore)
 * @param targetBindsOnFirstConsumer the target's StorageClass binds it only once a pod uses it
 *     (WaitForFirstConsumer): the runner's pod may start on it while it is Pending
 * @param targetBusy another Strata runner Job, not yet ended, that mounts the target PVC (another
 *     restore writing into it, a backup reading it): said as "restore Job x of StateRestore y";
 *     asked (an API list) only when every other precondition holds
 */
public record RestoreObservation(
    StateRestore restore,
    RunObservation<RestoreReport> run,
    List<StateSnapshot> snapshots,
    Optional<SnapshotStore> store,
    Optional<PersistentVolumeClaim> targetPvc,
    Optional<ClaimUser> targetUser,
    Optional<Listing> catalog,
    boolean targetBindsOnFirstConsumer,
    Supplier<Optional<String>> targetBusy) {

  public RestoreObservation(
      StateRestore restore,
      RunObservation<RestoreReport> run,
      List<StateSnapshot> snapshots,
      Optional<SnapshotStore> store,
      Optional<PersistentVolumeClaim> targetPvc,
      Optional<ClaimUser> targetUser) {
    this(
        restore,
        run,
        snapshots,
        store,
        targetPvc,
        targetUser,
        Optional.empty(),
        false,
        Optional::empty);
  }
}
