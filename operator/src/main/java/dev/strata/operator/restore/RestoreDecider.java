package dev.strata.operator.restore;

import dev.strata.operator.RunnerJobs;
import dev.strata.api.v1alpha1.ClaimTemplate;
import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import dev.strata.engine.Sizes;
import dev.strata.operator.snapshot.RunnerOutcome;
import dev.strata.operator.snapshot.SnapshotDecision;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a StateRestore's next step. Pure. The snapshot is resolved once and pinned in status; from then on only the
 * pinned one is used, whatever newer snapshots appear. A target in use by a running pod is refused unless the spec
 * allows it, and a restore gets at most one Job.
 */
public final class RestoreDecider {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final long MIN_CLAIM_BYTES = 1L << 30;

  private final RestoreJobBuilder jobs;
  private final Duration progressInterval;

  public RestoreDecider(RestoreJobBuilder jobs, Duration progressInterval) {
    this.jobs = jobs;
    this.progressInterval = progressInterval;
  }

  public RestoreDecision decide(RestoreObservation o) {
    StateRestore r = o.restore();
    StateRestoreStatus old = r.getStatus();
    SnapshotPhase phase = old == null ? null : old.phase();
    if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
      return new RestoreDecision(old, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), RunnerJobs.releasable(o.job(), r, phase == SnapshotPhase.Succeeded));
    }
    Next next = new Next(o, old);
    String targetPvc = r.getSpec().target().pvc();

    if (o.job().isPresent()) {
      RestoreDecision d = jobObserved(o, next, o.job().get());
      // Look again soon after a Job's end: once the final status is stored, that look releases the Job.
      return RunnerJobs.finished(o.job().get())
          ? new RestoreDecision(d.status(), d.createPvc(), d.createJob(), d.events(), Optional.of(RunnerJobs.RELEASE_AFTER), d.releaseJob())
          : d;
    }
    if (phase == SnapshotPhase.Running) {
      return next.fail("JobLost", "the runner Job " + old.jobName() + " disappeared before it reported a result");
    }

    ResolvedSnapshot pinned = old == null ? null : old.resolvedSnapshot();
    if (pinned == null) {
      RestoreResolver.Resolution res = RestoreResolver.resolve(r, o.snapshots());
      if (res instanceof RestoreResolver.Impossible i) {
        return next.fail(i.reason(), i.message());
      }
      if (res instanceof RestoreResolver.NotYet w) {
        return next.pending(null, w.reason(), w.message());
      }
      pinned = ((RestoreResolver.Resolved) res).snapshot();
    }
    if (o.store().isEmpty()) {
      return next.pending(pinned, "StoreNotFound", "SnapshotStore " + storeName(r, pinned) + " does not exist in namespace " + r.getMetadata().getNamespace());
    }
    Optional<Condition> ready = Conditions.find(o.store().get().getStatus() == null ? null : o.store().get().getStatus().conditions(), Conditions.READY);
    if (ready.isEmpty() || !Conditions.TRUE.equals(ready.get().getStatus())) {
      return next.pending(pinned, "StoreNotReady", "SnapshotStore " + storeName(r, pinned) + " is not ready"
          + ready.map(c -> " (" + c.getReason() + "): " + c.getMessage()).orElse(" yet"));
    }
    if (o.targetPvc().isEmpty()) {
      ClaimTemplate template = r.getSpec().target().claimTemplate();
      if (template == null) {
        return next.pending(pinned, "TargetNotFound", "PersistentVolumeClaim " + targetPvc + " does not exist in namespace " + r.getMetadata().getNamespace());
      }
      PersistentVolumeClaim pvc = claim(r, template, pinned);
      return next.createPvc(pinned, pvc);
    }
    String pvcPhase = o.targetPvc().get().getStatus() == null ? null : o.targetPvc().get().getStatus().getPhase();
    if (!"Bound".equals(pvcPhase)) {
      return next.pending(pinned, "TargetNotBound", "PersistentVolumeClaim " + targetPvc + " is not Bound yet");
    }
    if (o.targetUser().isPresent() && !Boolean.TRUE.equals(r.getSpec().allowTargetInUse())) {
      return next.fail("TargetInUse", "PersistentVolumeClaim " + targetPvc + " is in use by a running pod on node " + o.targetUser().get().node()
          + ": stop the workload first, or set spec.allowTargetInUse: true");
    }
    Job job = jobs.build(r, o.store().get(), pinned.id(), targetPvc, o.targetUser());
    return next.started(pinned, job);
  }

  private RestoreDecision jobObserved(RestoreObservation o, Next next, Job job) {
    if (!RunnerJobs.ownedBy(job, o.restore())) {
      return next.fail("JobConflict", "a Job named " + job.getMetadata().getName() + " exists and does not belong to this StateRestore");
    }
    ResolvedSnapshot pinned = next.old == null || next.old.resolvedSnapshot() == null
        ? new ResolvedSnapshot(null, annotation(job), null, null, null, null)
        : next.old.resolvedSnapshot();
    if (RunnerJobs.condition(job, "Complete").isPresent()) {
      Optional<RunnerOutcome> out = o.outcome();
      if (out.isPresent() && out.get().succeeded()) {
        return next.succeed(pinned, out.get());
      }
      return next.fail("ResultMissing", out.map(RunnerOutcome::error).orElse("the runner finished but its result could not be read"));
    }
    Optional<JobCondition> failed = RunnerJobs.condition(job, "Failed");
    if (failed.isPresent()) {
      if ("DeadlineExceeded".equals(failed.get().getReason())) {
        return next.fail("DeadlineExceeded", "the restore did not finish within spec.activeDeadlineSeconds: raise it or spec.parallelism");
      }
      String why = o.outcome().map(RunnerOutcome::error).orElse(failed.get().getMessage());
      String reason = why != null && why.contains("is not empty") ? "TargetNotEmpty"
          : why != null && why.contains("does not match its checksum") ? "Corrupt" : "RunnerFailed";
      return next.fail(reason, "the restore failed: " + why);
    }
    return next.running(pinned, job, o.progress(), progressInterval);
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
        .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, "strata.dev/staterestore", r.getMetadata().getName()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes(t.accessModes() == null || t.accessModes().isEmpty() ? List.of("ReadWriteOnce") : t.accessModes())
        .withStorageClassName(t.storageClassName())
        .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
        .endSpec()
        .build();
  }

  private static String annotation(Job job) {
    Map<String, String> a = job.getMetadata().getAnnotations();
    return a == null ? null : a.get(RestoreJobBuilder.SNAPSHOT_ANNOTATION);
  }

  /** Builds the next status from the old one. */
  private static final class Next {
    final RestoreObservation o;
    final StateRestoreStatus old;

    Next(RestoreObservation o, StateRestoreStatus old) {
      this.o = o;
      this.old = old;
    }

    List<Condition> conditions(String status, String reason, String message) {
      return Conditions.set(old == null ? null : old.conditions(), Conditions.READY, status, reason, message,
          o.restore().getMetadata().getGeneration(), o.now());
    }

    /** The Job that ran it: the observed one (a restarted operator may see it end before it recorded Running). */
    String jobName() {
      return o.job().map(j -> j.getMetadata().getName()).orElse(old == null ? null : old.jobName());
    }

    StateRestoreStatus status(SnapshotPhase phase, ResolvedSnapshot pinned, String jobName,
        String start, String end, TransferProgress progress, RunnerOutcome out, String status, String reason, String message) {
      return new StateRestoreStatus(phase, pinned, o.restore().getSpec().target().pvc(), jobName, start, end, progress,
          out == null ? null : out.number("files"), out == null ? null : out.number("totalBytes"),
          out == null ? null : out.number("downloadedBytes"), out == null ? null : out.number("reusedBytes"),
          conditions(status, reason, message), o.restore().getMetadata().getGeneration(), message);
    }

    RestoreDecision pending(ResolvedSnapshot pinned, String reason, String message) {
      boolean changed = old == null || !reason.equals(Conditions.find(old.conditions(), Conditions.READY).map(Condition::getReason).orElse(null));
      return new RestoreDecision(status(SnapshotPhase.Pending, pinned, null, null, null, null, null, Conditions.FALSE, reason, message),
          Optional.empty(), Optional.empty(),
          changed ? List.of(new SnapshotDecision.Event(EventRecorder.WARNING, reason, message)) : List.of(), Optional.of(WAIT));
    }

    RestoreDecision createPvc(ResolvedSnapshot pinned, PersistentVolumeClaim pvc) {
      String message = "creating PersistentVolumeClaim " + pvc.getMetadata().getName() + " of "
          + pvc.getSpec().getResources().getRequests().get("storage");
      return new RestoreDecision(status(SnapshotPhase.Pending, pinned, null, null, null, null, null, Conditions.FALSE, "CreatingTarget", message),
          Optional.of(pvc), Optional.empty(), List.of(new SnapshotDecision.Event(EventRecorder.NORMAL, "CreatingTarget", message)), Optional.of(WAIT));
    }

    RestoreDecision started(ResolvedSnapshot pinned, Job job) {
      String message = "restoring snapshot " + pinned.id() + (pinned.snapshotName() == null ? "" : " (" + pinned.snapshotName() + ")")
          + " into " + o.restore().getSpec().target().pvc() + " with Job " + job.getMetadata().getName();
      return new RestoreDecision(
          status(SnapshotPhase.Running, pinned, job.getMetadata().getName(), o.now().toString(), null,
              new TransferProgress(0L, 0L, 0L, 0L, 0L), null, Conditions.FALSE, "Running", message),
          Optional.empty(), Optional.of(job), List.of(new SnapshotDecision.Event(EventRecorder.NORMAL, "Started", message)), Optional.empty());
    }

    RestoreDecision running(ResolvedSnapshot pinned, Job job, Optional<TransferProgress> progress, Duration requeue) {
      TransferProgress p = progress.orElse(old == null || old.progress() == null ? new TransferProgress(0L, 0L, 0L, 0L, 0L) : old.progress());
      String start = old != null && old.startTime() != null ? old.startTime() : o.now().toString();
      String message = "restoring snapshot " + pinned.id() + " into " + o.restore().getSpec().target().pvc();
      return new RestoreDecision(status(SnapshotPhase.Running, pinned, job.getMetadata().getName(), start, null, p, null,
          Conditions.FALSE, "Running", message), Optional.empty(), Optional.empty(), List.of(), Optional.of(requeue));
    }

    RestoreDecision succeed(ResolvedSnapshot pinned, RunnerOutcome out) {
      long total = out.number("totalBytes");
      long files = out.number("files");
      long ms = Math.max(1, out.number("durationMs"));
      String message = "restored snapshot " + pinned.id() + ": " + files + " files, " + Sizes.human(total) + " ("
          + Sizes.human(out.number("downloadedBytes")) + " downloaded, " + Sizes.human(out.number("reusedBytes")) + " reused)";
      return new RestoreDecision(status(SnapshotPhase.Succeeded, pinned, jobName(),
          old == null ? null : old.startTime(), o.now().toString(), new TransferProgress(files, files, total, total, total * 1000 / ms), out,
          Conditions.TRUE, "Succeeded", message), Optional.empty(), Optional.empty(),
          List.of(new SnapshotDecision.Event(EventRecorder.NORMAL, "Succeeded", message)), Optional.empty());
    }

    RestoreDecision fail(String reason, String message) {
      return new RestoreDecision(status(SnapshotPhase.Failed, old == null ? null : old.resolvedSnapshot(), jobName(),
          old == null ? null : old.startTime(), o.now().toString(), old == null ? null : old.progress(), null,
          Conditions.FALSE, reason, message), Optional.empty(), Optional.empty(),
          List.of(new SnapshotDecision.Event(EventRecorder.WARNING, reason, message)), Optional.empty());
    }
  }
}
