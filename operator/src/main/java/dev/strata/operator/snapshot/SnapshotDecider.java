package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunLifecycle;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from what was observed, what a StateSnapshot's status should be and whether to create its runner Job: the
 * run lifecycle shared with every run, with a snapshot's own preconditions (a ready store, a bound PVC). Pure: no I/O,
 * so every path is a unit test.
 */
public final class SnapshotDecider {

  static final Duration WAIT_FOR_DEPENDENCY = Duration.ofSeconds(15);

  private final RunnerJobBuilder jobs;
  private final RunLifecycle.Timing timing;
  private final String cluster;

  /** @param cluster this cluster's id, in the source ids of the snapshots it takes */
  public SnapshotDecider(RunnerJobBuilder jobs, Duration progressInterval, String cluster) {
    this.jobs = jobs;
    this.timing = new RunLifecycle.Timing(progressInterval, WAIT_FOR_DEPENDENCY);
    this.cluster = cluster;
  }

  public RunDecision<StateSnapshotStatus> decide(SnapshotObservation o) {
    SnapshotStatuses status = new SnapshotStatuses(o.snapshot(), o.run().now(), cluster);
    return RunLifecycle.decide(o.run(), status, timing, steps -> start(o, steps));
  }

  private RunDecision<StateSnapshotStatus> start(SnapshotObservation o, RunLifecycle.Steps<StateSnapshotStatus, BackupReport> steps) {
    StateSnapshot s = o.snapshot();
    String ns = s.getMetadata().getNamespace();
    String storeName = s.getSpec().storeRef().name();
    if (o.store().isEmpty()) {
      return steps.pending("StoreNotFound", "SnapshotStore " + storeName + " does not exist in namespace " + ns);
    }
    Optional<Condition> ready = Conditions.find(conditions(o.store().get()), Conditions.READY);
    if (ready.isEmpty() || Conditions.UNKNOWN.equals(ready.get().getStatus())) {
      return steps.pending("StoreNotChecked", "waiting for SnapshotStore " + storeName + " to be checked");
    }
    if (!Conditions.TRUE.equals(ready.get().getStatus())) {
      return steps.fail("StoreNotReady",
          "SnapshotStore " + storeName + " is not ready (" + ready.get().getReason() + "): " + ready.get().getMessage());
    }
    String pvcName = s.getSpec().source().pvcName();
    if (o.pvc().isEmpty()) {
      return steps.pending("PVCNotFound", "PersistentVolumeClaim " + pvcName + " does not exist in namespace " + ns);
    }
    String pvcPhase = o.pvc().get().getStatus() == null ? null : o.pvc().get().getStatus().getPhase();
    if (!"Bound".equals(pvcPhase)) {
      return steps.pending("PVCNotBound", "PersistentVolumeClaim " + pvcName + " is " + (pvcPhase == null ? "not bound" : pvcPhase) + ", not Bound");
    }
    Job job = jobs.build(s, o.store().get(), o.pvcUser());
    String where = o.pvcUser().map(u -> " on node " + u.node() + ", where the volume is in use").orElse("");
    return steps.start(job, "created runner Job " + job.getMetadata().getName() + where);
  }

  private static List<Condition> conditions(SnapshotStore store) {
    return store.getStatus() == null ? null : store.getStatus().conditions();
  }
}
