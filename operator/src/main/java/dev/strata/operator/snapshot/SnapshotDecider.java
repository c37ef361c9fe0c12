package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotIndexSummary;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.RunnerJobs;
import dev.strata.engine.Sizes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from what was observed, what a StateSnapshot's status should be and whether to create its runner Job. Pure:
 * no I/O, so every path is a unit test. A snapshot gets at most one Job in its life: once Succeeded or Failed it never
 * changes again, and a Job that vanished is a failure, not a reason to start over.
 */
public final class SnapshotDecider {

  static final Duration WAIT_FOR_DEPENDENCY = Duration.ofSeconds(15);

  private final RunnerJobBuilder jobs;
  private final Duration progressInterval;

  public SnapshotDecider(RunnerJobBuilder jobs, Duration progressInterval) {
    this.jobs = jobs;
    this.progressInterval = progressInterval;
  }

  public SnapshotDecision decide(SnapshotObservation o) {
    StateSnapshot s = o.snapshot();
    StateSnapshotStatus old = s.getStatus();
    SnapshotPhase phase = old == null ? null : old.phase();
    if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
      return new SnapshotDecision(old, Optional.empty(), List.of(), Optional.empty(), RunnerJobs.releasable(o.job(), s, phase == SnapshotPhase.Succeeded));
    }
    Status st = new Status(o, old);
    if (o.job().isPresent()) {
      SnapshotDecision d = jobObserved(o, st, o.job().get());
      // Look again soon after a Job's end: once the final status is stored, that look releases the Job.
      return RunnerJobs.finished(o.job().get())
          ? new SnapshotDecision(d.status(), d.createJob(), d.events(), Optional.of(RunnerJobs.RELEASE_AFTER), d.releaseJob())
          : d;
    }
    if (phase == SnapshotPhase.Running) {
      return st.fail("JobLost", "the runner Job " + old.jobName() + " disappeared before it reported a result");
    }
    String ns = s.getMetadata().getNamespace();
    String storeName = s.getSpec().storeRef().name();
    if (o.store().isEmpty()) {
      return st.pending("StoreNotFound", "SnapshotStore " + storeName + " does not exist in namespace " + ns);
    }
    Optional<Condition> ready = Conditions.find(statusConditions(o.store().get()), Conditions.READY);
    if (ready.isEmpty() || Conditions.UNKNOWN.equals(ready.get().getStatus())) {
      return st.pending("StoreNotChecked", "waiting for SnapshotStore " + storeName + " to be checked");
    }
    if (!Conditions.TRUE.equals(ready.get().getStatus())) {
      return st.fail(
          "StoreNotReady",
          "SnapshotStore " + storeName + " is not ready (" + ready.get().getReason() + "): " + ready.get().getMessage());
    }
    String pvcName = s.getSpec().source().pvcName();
    if (o.pvc().isEmpty()) {
      return st.pending("PVCNotFound", "PersistentVolumeClaim " + pvcName + " does not exist in namespace " + ns);
    }
    String pvcPhase = o.pvc().get().getStatus() == null ? null : o.pvc().get().getStatus().getPhase();
    if (!"Bound".equals(pvcPhase)) {
      return st.pending("PVCNotBound", "PersistentVolumeClaim " + pvcName + " is " + (pvcPhase == null ? "not bound" : pvcPhase) + ", not Bound");
    }
    Job job = jobs.build(s, o.store().get(), o.pvcUser());
    String where = o.pvcUser().map(u -> " on node " + u.node() + ", where the volume is in use").orElse("");
    return st.started(job, "created runner Job " + job.getMetadata().getName() + where);
  }

  private SnapshotDecision jobObserved(SnapshotObservation o, Status st, Job job) {
    StateSnapshot s = o.snapshot();
    if (!RunnerJobs.ownedBy(job, s)) {
      return st.fail(
          "JobConflict",
          "a Job named " + job.getMetadata().getName() + " exists and does not belong to this StateSnapshot: delete it, or use another name");
    }
    Optional<JobCondition> complete = RunnerJobs.condition(job, "Complete");
    Optional<JobCondition> failed = RunnerJobs.condition(job, "Failed");
    if (complete.isPresent()) {
      Optional<RunnerOutcome> out = o.outcome();
      if (out.isPresent() && out.get().succeeded()) {
        return st.succeed(out.get());
      }
      return st.fail("ResultMissing", out.map(RunnerOutcome::error).orElse("the runner finished but its result could not be read"));
    }
    if (failed.isPresent()) {
      if ("DeadlineExceeded".equals(failed.get().getReason())) {
        return st.fail(
            "DeadlineExceeded",
            "the runner did not finish within activeDeadlineSeconds=" + s.getSpec().activeDeadlineSecondsOrDefault()
                + ": raise spec.activeDeadlineSeconds or spec.parallelism");
      }
      String why = o.outcome().map(RunnerOutcome::error).orElse(failed.get().getMessage());
      return st.fail("RunnerFailed", "the runner failed: " + why);
    }
    return st.running(job, o.progress(), progressInterval);
  }

  private static List<Condition> statusConditions(SnapshotStore store) {
    return store.getStatus() == null ? null : store.getStatus().conditions();
  }

  /** Builds the next status from the old one; each outcome also names the Events it implies. */
  private static final class Status {
    final SnapshotObservation o;
    final StateSnapshotStatus old;
    final Instant now;
    final Long generation;

    Status(SnapshotObservation o, StateSnapshotStatus old) {
      this.o = o;
      this.old = old;
      this.now = o.now();
      this.generation = o.snapshot().getMetadata().getGeneration();
    }

    String sourceId() {
      return o.snapshot().getSpec().source().sourceId(o.snapshot().getMetadata().getNamespace());
    }

    /** The Job that ran it: the observed one (a restarted operator may see it end before it recorded Running). */
    String jobName() {
      return o.job().map(j -> j.getMetadata().getName()).orElse(old == null ? null : old.jobName());
    }

    List<Condition> conditions(String status, String reason, String message) {
      return Conditions.set(old == null ? null : old.conditions(), Conditions.READY, status, reason, message, generation, now);
    }

    SnapshotDecision pending(String reason, String message) {
      boolean changed = old == null || !reason.equals(Conditions.find(old.conditions(), Conditions.READY).map(Condition::getReason).orElse(null));
      StateSnapshotStatus next = new StateSnapshotStatus(
          SnapshotPhase.Pending, sourceId(), null, null, null, null, null, null, null,
          conditions(Conditions.FALSE, reason, message), generation, message);
      List<SnapshotDecision.Event> events = changed ? List.of(new SnapshotDecision.Event(EventRecorder.WARNING, reason, message)) : List.of();
      return new SnapshotDecision(next, Optional.empty(), events, Optional.of(WAIT_FOR_DEPENDENCY));
    }

    SnapshotDecision started(Job job, String message) {
      StateSnapshotStatus next = new StateSnapshotStatus(
          SnapshotPhase.Running, sourceId(), job.getMetadata().getName(), now.toString(), null,
          new TransferProgress(0L, 0L, 0L, 0L, 0L), null, null, null,
          conditions(Conditions.FALSE, "Running", message), generation, message);
      return new SnapshotDecision(
          next, Optional.of(job), List.of(new SnapshotDecision.Event(EventRecorder.NORMAL, "Started", message)), Optional.empty());
    }

    SnapshotDecision running(Job job, Optional<TransferProgress> progress, Duration requeue) {
      TransferProgress p = progress.orElse(old == null || old.progress() == null ? new TransferProgress(0L, 0L, 0L, 0L, 0L) : old.progress());
      String started = old != null && old.startTime() != null ? old.startTime() : now.toString();
      String message = "backing up " + sourceId() + " with Job " + job.getMetadata().getName();
      StateSnapshotStatus next = new StateSnapshotStatus(
          SnapshotPhase.Running, sourceId(), job.getMetadata().getName(), started, null, p, null, null, null,
          conditions(Conditions.FALSE, "Running", message), generation, message);
      return new SnapshotDecision(next, Optional.empty(), List.of(), Optional.of(requeue));
    }

    SnapshotDecision succeed(RunnerOutcome out) {
      long files = out.number("files");
      long total = out.number("totalBytes");
      long uploaded = out.number("uploadedBytes");
      long ms = Math.max(1, out.number("durationMs"));
      SnapshotIndexSummary index = new SnapshotIndexSummary(
          out.text("snapshotId"), out.text("indexKey"), out.text("previousSnapshotId"), files,
          out.number("directories"), total, uploaded, out.number("reusedBytes"));
      String message = "snapshot " + index.id() + ": " + files + " files, " + Sizes.human(total) + " (" + Sizes.human(uploaded) + " uploaded)";
      StateSnapshotStatus next = new StateSnapshotStatus(
          SnapshotPhase.Succeeded, sourceId(), jobName(),
          old == null || old.startTime() == null ? now.toString() : old.startTime(), now.toString(),
          new TransferProgress(files, files, total, total, total * 1000 / ms),
          index, Sizes.human(total), Sizes.human(uploaded),
          conditions(Conditions.TRUE, "Succeeded", message), generation, message);
      return new SnapshotDecision(
          next, Optional.empty(), List.of(new SnapshotDecision.Event(EventRecorder.NORMAL, "Succeeded", message)), Optional.empty());
    }

    SnapshotDecision fail(String reason, String message) {
      StateSnapshotStatus next = new StateSnapshotStatus(
          SnapshotPhase.Failed, sourceId(), jobName(),
          old == null ? null : old.startTime(), now.toString(),
          old == null ? null : old.progress(), null, null, null,
          conditions(Conditions.FALSE, reason, message), generation, message);
      return new SnapshotDecision(
          next, Optional.empty(), List.of(new SnapshotDecision.Event(EventRecorder.WARNING, reason, message)), Optional.empty());
    }
  }

}
