package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.hooks.HookPod;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.runner.RunObservation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything the decider needs about one StateSnapshot, gathered by the reconciler before it
 * decides anything.
 *
 * @param run the runner Job, its result and progress
 * @param pvcUser a running pod that uses the PVC: its node, where a ReadWriteOnce volume is
 *     mounted, and its user
 * @param hookPod with spec.hooks, while the run has not ended: the pod its hooks run in (the one
 *     that uses the PVC)
 * @param hooks how the hooks in flight are doing
 * @param pvcBusy a restore runner Job, not yet ended, that writes into the PVC: said as "restore
 *     Job x of StateRestore y"; asked (an API list) only when every other precondition holds
 */
public record SnapshotObservation(
    StateSnapshot snapshot,
    RunObservation<BackupReport> run,
    Optional<SnapshotStore> store,
    Optional<PersistentVolumeClaim> pvc,
    Optional<ClaimUser> pvcUser,
    Optional<HookPod> hookPod,
    Function<HookRunner.Key, HookRunner.Polled> hooks,
    Supplier<Optional<String>> pvcBusy) {

  public SnapshotObservation(
      StateSnapshot snapshot,
      RunObservation<BackupReport> run,
      Optional<SnapshotStore> store,
      Optional<PersistentVolumeClaim> pvc,
      Optional<ClaimUser> pvcUser) {
    this(
        snapshot,
        run,
        store,
        pvc,
        pvcUser,
        Optional.empty(),
        k -> HookRunner.Polled.unknown(),
        Optional::empty);
  }
}
