package dev.strata.operator.snapshot;

import dev.strata.operator.ClaimUser;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.runner.RunObservation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.Optional;

/**
 * Everything the decider needs about one StateSnapshot, gathered by the reconciler before it decides anything.
 *
 * @param run the runner Job, its result and progress
 * @param pvcUser a running pod that uses the PVC: its node, where a ReadWriteOnce volume is mounted, and its user
 */
public record SnapshotObservation(
    StateSnapshot snapshot,
    RunObservation<BackupReport> run,
    Optional<SnapshotStore> store,
    Optional<PersistentVolumeClaim> pvc,
    Optional<ClaimUser> pvcUser) {}
