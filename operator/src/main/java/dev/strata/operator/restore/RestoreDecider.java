package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.ClaimTemplate;
import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.SourceId;
import dev.strata.api.v1alpha1.SourceVolume;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.Labels;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunLifecycle;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a StateRestore's next step: the run lifecycle shared with every run, with a restore's own
 * preconditions. Pure. The snapshot is resolved once and pinned in status; from then on only the
 * pinned one is used, whatever newer snapshots appear. A target in use by a running pod is refused
 * unless the spec allows it; one that another Strata runner (a restore writing it, a backup reading
 * it) uses waits for that run's end; and a restore gets at most one Job.
 */
public final class RestoreDecider {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final long MIN_CLAIM_BYTES = 1L << 30;

  private final RestoreJobBuilder jobs;
  private final RunLifecycle.Timing timing;
  private final String cluster;

  /**
   * @param cluster this cluster's id, which "latest of a source" looks for
   */
  public RestoreDecider(RestoreJobBuilder jobs, Duration progressInterval, String cluster) {
    this.jobs = jobs;
    this.timing = new RunLifecycle.Timing(progressInterval, WAIT);
    this.cluster = cluster;
  }

  public RunDecision<StateRestoreStatus> decide(RestoreObservation o) {
    StateRestore r = o.restore();
    ResolvedSnapshot recorded = r.getStatus() == null ? null : r.getStatus().resolvedSnapshot();
    ResolvedSnapshot pinned =
        recorded != null ? recorded : o.run().job().map(RestoreDecider::fromJob).orElse(null);
    RestoreStatuses status = new RestoreStatuses(r, pinned, o.run().now());
    return RunLifecycle.decide(o.run(), status, timing, steps -> start(o, status, steps));
  }

  private RunDecision<StateRestoreStatus> start(
      RestoreObservation o,
      RestoreStatuses status,
      RunLifecycle.Steps<StateRestoreStatus, RestoreReport> unpinned) {
    StateRestore r = o.restore();
    ResolvedSnapshot pinned = r.getStatus() == null ? null : r.getStatus().resolvedSnapshot();
    if (pinned == null) {
      RestoreResolver.Resolution res =
          RestoreResolver.resolve(r, o.snapshots(), cluster, o.catalog());
      if (res instanceof RestoreResolver.Impossible i) {
        return unpinned.fail(i.reason(), i.message());
      }
      if (res instanceof RestoreResolver.NotYet w) {
        return unpinned.pending(w.reason(), w.message());
      }
      pinned = ((RestoreResolver.Resolved) res).snapshot();
      Optional<String> mismatch = targetMismatch(r, pinned);
      if (mismatch.isPresent()) {
        return unpinned.fail("TargetMismatch", mismatch.get());
      }
    }
    var steps = unpinned.writingWith(status.pinning(pinned));
    String targetPvc = r.getSpec().target().pvc();
    if (o.store().isEmpty()) {
      return steps.pending(
          "StoreNotFound",
          "SnapshotStore "
              + storeName(r, pinned)
              + " does not exist in namespace "
              + r.getMetadata().getNamespace());
    }
    Optional<Condition> ready =
        Conditions.find(
            o.store().get().getStatus() == null ? null : o.store().get().getStatus().conditions(),
            Conditions.READY);
    if (ready.isEmpty() || !Conditions.TRUE.equals(ready.get().getStatus())) {
      return steps.pending(
          "StoreNotReady",
          "SnapshotStore "
              + storeName(r, pinned)
              + " is not ready"
              + ready.map(c -> " (" + c.getReason() + "): " + c.getMessage()).orElse(" yet"));
    }
    if (o.targetPvc().isEmpty()) {
      ClaimTemplate template = r.getSpec().target().claimTemplate();
      if (template == null) {
        return steps.pending(
            "TargetNotFound",
            "PersistentVolumeClaim "
                + targetPvc
                + " does not exist in namespace "
                + r.getMetadata().getNamespace());
      }
      PersistentVolumeClaim pvc = claim(r, template, pinned);
      return steps.creating(
          pvc,
          "CreatingTarget",
          "creating PersistentVolumeClaim "
              + pvc.getMetadata().getName()
              + " of "
              + pvc.getSpec().getResources().getRequests().get("storage"));
    }
    String pvcPhase =
        o.targetPvc().get().getStatus() == null ? null : o.targetPvc().get().getStatus().getPhase();
    // A claim whose class binds on first consumer stays Pending until a pod uses it: the runner's
    // pod is that pod.
    boolean bindsWithRunner =
        o.targetBindsOnFirstConsumer() && (pvcPhase == null || "Pending".equals(pvcPhase));
    if (!"Bound".equals(pvcPhase) && !bindsWithRunner) {
      return steps.pending(
          "TargetNotBound",
          "PersistentVolumeClaim "
              + targetPvc
              + " is not Bound yet"
              + (pvcPhase == null || "Pending".equals(pvcPhase)
                  ? ""
                  : " (phase " + pvcPhase + ")"));
    }
    if (o.targetUser().isPresent() && !Boolean.TRUE.equals(r.getSpec().allowTargetInUse())) {
      return steps.fail(
          "TargetInUse",
          "PersistentVolumeClaim "
              + targetPvc
              + " is in use by a running pod on node "
              + o.targetUser().get().node()
              + ": stop the workload first, or set spec.allowTargetInUse: true");
    }
    // Asked last, only of a run about to start: it lists Jobs from the API server.
    Optional<String> busy = o.targetBusy().get();
    if (busy.isPresent()) {
      // Two runners in one volume would interleave their files: this run waits for the other's end.
      return steps.pending(
          "TargetBusy",
          "PersistentVolumeClaim "
              + targetPvc
              + " is in use by Strata's "
              + busy.get()
              + ": this restore starts once that run has ended");
    }
    Job job = jobs.build(r, o.store().get(), pinned.id(), targetPvc, o.targetUser());
    return steps.start(
        job,
        "restoring snapshot "
            + pinned.id()
            + (pinned.snapshotName() == null ? "" : " (" + pinned.snapshotName() + ")")
            + " into "
            + targetPvc
            + " with Job "
            + job.getMetadata().getName()
            + ("Bound".equals(pvcPhase)
                ? ""
                : " (its StorageClass binds on first consumer: the runner's pod binds it)"));
  }

  /**
   * Why the restore may not write the snapshot where it would: into a PVC other than the one the
   * snapshot was taken of (another name, or another namespace) without spec.target.insteadOf naming
   * that one. A new cluster restoring a lost one's snapshots into the same namespace and PVC name
   * needs nothing. Pure.
   */
  static Optional<String> targetMismatch(StateRestore r, ResolvedSnapshot pinned) {
    String ns = r.getMetadata().getNamespace();
    String target = r.getSpec().target().pvc();
    Optional<SourceId> taken = SourceId.parse(pinned.sourceId());
    if (taken.isEmpty()) {
      return Optional.of(
          "snapshot "
              + pinned.id()
              + " was not taken of a PVC (its source id is '"
              + pinned.sourceId()
              + "'): restore it with the strata CLI (strata restore --snapshot "
              + pinned.id()
              + ")");
    }
    SourceId src = taken.get();
    SourceVolume insteadOf = r.getSpec().target().insteadOf();
    String write = "insteadOf: {namespace: " + src.namespace() + ", pvcName: " + src.pvc() + "}";
    if (insteadOf != null) {
      String named =
          (insteadOf.namespace() == null ? ns : insteadOf.namespace()) + "/" + insteadOf.pvcName();
      return named.equals(src.namespace() + "/" + src.pvc())
          ? Optional.empty()
          : Optional.of(
              "spec.target.insteadOf names "
                  + named
                  + ", but snapshot "
                  + pinned.id()
                  + " was taken of PVC "
                  + src.pvc()
                  + " in namespace "
                  + src.namespace()
                  + ": write spec.target."
                  + write
                  + " to restore it into "
                  + target
                  + " anyway");
    }
    if (src.namespace().equals(ns) && src.pvc().equals(target)) {
      return Optional.empty();
    }
    return Optional.of(
        "snapshot "
            + pinned.id()
            + " was taken of PVC "
            + src.pvc()
            + " in namespace "
            + src.namespace()
            + ", and this restore writes into PVC "
            + target
            + " in namespace "
            + ns
            + ": restoring into another PVC is an explicit choice."
            + " To restore it there, add to spec.target: "
            + write);
  }

  static String storeName(StateRestore r, ResolvedSnapshot pinned) {
    return r.getSpec().storeRef() != null ? r.getSpec().storeRef().name() : pinned.storeRef();
  }

  static PersistentVolumeClaim claim(StateRestore r, ClaimTemplate t, ResolvedSnapshot pinned) {
    String size = t.size();
    if (size == null) {
      long need = pinned.totalBytes() == null ? 0 : pinned.totalBytes() + pinned.totalBytes() / 10;
      long mib = Math.max(MIN_CLAIM_BYTES, need) / (1 << 20) + 1;
      size = mib + "Mi";
    }
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(t.name())
        .withNamespace(r.getMetadata().getNamespace())
        .withLabels(
            Map.of(
                Labels.MANAGED_BY,
                Labels.MANAGED_BY_VALUE,
                "strata.dev/staterestore",
                r.getMetadata().getName()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes(
            t.accessModes() == null || t.accessModes().isEmpty()
                ? List.of("ReadWriteOnce")
                : t.accessModes())
        .withStorageClassName(t.storageClassName())
        .withNewResources()
        .addToRequests("storage", new Quantity(size))
        .endResources()
        .endSpec()
        .build();
  }

  /**
   * The snapshot a restore's Job restores, from the Job itself, for an operator that lost the
   * restore's status.
   */
  private static ResolvedSnapshot fromJob(Job job) {
    Map<String, String> a = job.getMetadata().getAnnotations();
    return new ResolvedSnapshot(
        null,
        a == null ? null : a.get(RestoreJobBuilder.SNAPSHOT_ANNOTATION),
        null,
        null,
        null,
        null);
  }
}
