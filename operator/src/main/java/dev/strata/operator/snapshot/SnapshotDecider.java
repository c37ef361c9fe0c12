package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.HookResult;
import dev.strata.api.v1alpha1.SnapshotHooks;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder.Event;
import dev.strata.operator.hooks.HookStage;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunLifecycle;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from what was observed, what a StateSnapshot's status should be and whether to create
 * its runner Job: the run lifecycle shared with every run, with a snapshot's own preconditions (a
 * ready store, a bound PVC that no restore is writing into), its pre hooks before the Job and its
 * post hooks after it (see {@link HookStage}). A pre hook that fails with onError Fail fails the
 * snapshot without a Job, once the post hooks have undone what the pre hooks did; a post hook that
 * fails so fails a snapshot the runner committed (its index stays in the status, and in the store
 * until the object is deleted). Pure: no I/O, so every path is a unit test.
 */
public final class SnapshotDecider {

  static final Duration WAIT_FOR_DEPENDENCY = Duration.ofSeconds(15);

  /** How soon a run whose hook runs looks again (the hook's end also wakes it at once). */
  static final Duration HOOK_RECHECK = Duration.ofSeconds(5);

  /** A decision and the hook it starts, if any. */
  public record Plan(RunDecision<StateSnapshotStatus> run, Optional<HookStage.Start> hook) {}

  private final RunnerJobBuilder jobs;
  private final RunLifecycle.Timing timing;
  private final String cluster;

  /**
   * @param cluster this cluster's id, in the source ids of the snapshots it takes
   */
  public SnapshotDecider(RunnerJobBuilder jobs, Duration progressInterval, String cluster) {
    this.jobs = jobs;
    this.timing = new RunLifecycle.Timing(progressInterval, WAIT_FOR_DEPENDENCY);
    this.cluster = cluster;
  }

  public RunDecision<StateSnapshotStatus> decide(SnapshotObservation o) {
    return plan(o).run();
  }

  public Plan plan(SnapshotObservation o) {
    SnapshotStatuses status = new SnapshotStatuses(o.snapshot(), o.run().now(), cluster);
    if (!o.snapshot().getSpec().hasHooks()) {
      return new Plan(
          RunLifecycle.decide(o.run(), status, timing, steps -> start(o, steps)), Optional.empty());
    }
    HookRun hooks = new HookRun(o, status);
    RunDecision<StateSnapshotStatus> d =
        RunLifecycle.decide(o.run(), hooks.status, timing, hooks::beforeJob, hooks::afterJob)
            .withEventsFirst(hooks.settled.events());
    return new Plan(d, hooks.start);
  }

  private Optional<RunDecision<StateSnapshotStatus>> preconditions(
      SnapshotObservation o, RunLifecycle.Steps<StateSnapshotStatus, BackupReport> steps) {
    StateSnapshot s = o.snapshot();
    String ns = s.getMetadata().getNamespace();
    String storeName = s.getSpec().storeRef().name();
    if (o.store().isEmpty()) {
      return Optional.of(
          steps.pending(
              "StoreNotFound",
              "SnapshotStore " + storeName + " does not exist in namespace " + ns));
    }
    Optional<Condition> ready = Conditions.find(conditions(o.store().get()), Conditions.READY);
    if (ready.isEmpty() || Conditions.UNKNOWN.equals(ready.get().getStatus())) {
      return Optional.of(
          steps.pending(
              "StoreNotChecked", "waiting for SnapshotStore " + storeName + " to be checked"));
    }
    if (!Conditions.TRUE.equals(ready.get().getStatus())) {
      return Optional.of(
          steps.fail(
              "StoreNotReady",
              "SnapshotStore "
                  + storeName
                  + " is not ready ("
                  + ready.get().getReason()
                  + "): "
                  + ready.get().getMessage()));
    }
    String pvcName = s.getSpec().source().pvcName();
    if (o.pvc().isEmpty()) {
      return Optional.of(
          steps.pending(
              "PVCNotFound",
              "PersistentVolumeClaim " + pvcName + " does not exist in namespace " + ns));
    }
    String pvcPhase =
        o.pvc().get().getStatus() == null ? null : o.pvc().get().getStatus().getPhase();
    if (!"Bound".equals(pvcPhase)) {
      return Optional.of(
          steps.pending(
              "PVCNotBound",
              "PersistentVolumeClaim "
                  + pvcName
                  + " is "
                  + (pvcPhase == null ? "not bound" : pvcPhase)
                  + ", not Bound"));
    }
    // Asked last, only of a run about to start: it lists Jobs from the API server.
    Optional<String> busy = o.pvcBusy().get();
    if (busy.isPresent()) {
      // A backup of a volume half restored would pass for a good snapshot.
      return Optional.of(
          steps.pending(
              "SourceBusy",
              "PersistentVolumeClaim "
                  + pvcName
                  + " is being written by Strata's "
                  + busy.get()
                  + ": the backup starts once that restore has ended"));
    }
    return Optional.empty();
  }

  private RunDecision<StateSnapshotStatus> start(
      SnapshotObservation o, RunLifecycle.Steps<StateSnapshotStatus, BackupReport> steps) {
    return preconditions(o, steps).orElseGet(() -> job(o, steps));
  }

  private RunDecision<StateSnapshotStatus> job(
      SnapshotObservation o, RunLifecycle.Steps<StateSnapshotStatus, BackupReport> steps) {
    Job job = jobs.build(o.snapshot(), o.store().get(), o.pvcUser());
    String where =
        o.pvcUser().map(u -> " on node " + u.node() + ", where the volume is in use").orElse("");
    return steps.start(job, "created runner Job " + job.getMetadata().getName() + where);
  }

  private static List<Condition> conditions(SnapshotStore store) {
    return store.getStatus() == null ? null : store.getStatus().conditions();
  }

  /** One decision's view of a snapshot's hooks: the stage they are in, and the hook it starts. */
  private final class HookRun {
    private final SnapshotObservation o;

    /** The status writer, with the recorded hook results settled (see {@link HookStage#settle}). */
    final SnapshotStatuses status;

    private final SnapshotHooks spec;
    private final HookStage.Context context;
    final HookStage.Settled settled;
    private final List<HookResult> recorded;
    Optional<HookStage.Start> start = Optional.empty();

    HookRun(SnapshotObservation o, SnapshotStatuses status) {
      this.o = o;
      this.spec = o.snapshot().getSpec().hooks();
      StateSnapshot s = o.snapshot();
      this.context =
          new HookStage.Context(
              s.getMetadata().getNamespace(),
              s.getMetadata().getName(),
              s.getMetadata().getUid(),
              s.getSpec().source().pvcName(),
              o.hookPod(),
              o.hooks(),
              o.run().now());
      this.settled =
          HookStage.settle(
              spec.preOrEmpty(),
              spec.postOrEmpty(),
              s.getStatus() == null ? null : s.getStatus().hooks(),
              context);
      this.recorded = settled.results();
      this.status = status.withHooks(recorded);
    }

    /**
     * Before the Job: the preconditions, then the pre hooks, then the Job; a failed pre stage runs
     * the post hooks, then fails.
     */
    RunDecision<StateSnapshotStatus> beforeJob(
        RunLifecycle.Steps<StateSnapshotStatus, BackupReport> steps) {
      Optional<RunDecision<StateSnapshotStatus>> waiting = preconditions(o, steps);
      if (waiting.isPresent()) {
        return waiting.get();
      }
      HookStage.Progress pre =
          HookStage.advance(HookStage.PRE, spec.preOrEmpty(), recorded, context);
      SnapshotStatuses withPre = status.withHooks(pre.results());
      if (!pre.done()) {
        start = pre.start();
        HookResult r = pre.running().orElseThrow();
        return steps.preparing(
            withPre.pending(
                "PreHooks",
                "running pre hook "
                    + r.name()
                    + " in pod "
                    + r.pod()
                    + " (container "
                    + r.container()
                    + ")"),
            pre.events(),
            HOOK_RECHECK);
      }
      if (pre.failure().isEmpty()) {
        return job(o, steps.writingWith(withPre)).withEventsFirst(pre.events());
      }
      String why = "pre hook failed, no backup ran: " + HookStage.describe(pre.failure().get());
      List<Event> events = new ArrayList<>(pre.events());
      SnapshotStatuses after = withPre;
      if (context.pod().isPresent() && !spec.postOrEmpty().isEmpty()) {
        HookStage.Progress post =
            HookStage.advance(HookStage.POST, spec.postOrEmpty(), pre.results(), context);
        after = status.withHooks(post.results());
        events.addAll(post.events());
        if (!post.done()) {
          start = post.start();
          HookResult r = post.running().orElseThrow();
          return steps.preparing(
              after.pending(
                  "PostHooks",
                  why + "; running post hook " + r.name() + " to undo what the pre hooks did"),
              events,
              HOOK_RECHECK);
        }
        if (post.failure().isPresent()) {
          why += "; and " + HookStage.describe(post.failure().get());
        }
      }
      return steps.writingWith(after).fail("HookFailed", why).withEventsFirst(events);
    }

    /**
     * After the Job: the post hooks, then the run's end, which a post hook that fails with onError
     * Fail turns into a failure.
     */
    RunDecision<StateSnapshotStatus> afterJob(
        RunLifecycle.Steps<StateSnapshotStatus, BackupReport> steps,
        RunDecision<StateSnapshotStatus> end,
        Optional<BackupReport> report) {
      if (spec.postOrEmpty().isEmpty()) {
        return end;
      }
      HookStage.Progress post =
          HookStage.advance(HookStage.POST, spec.postOrEmpty(), recorded, context);
      SnapshotStatuses withPost = status.withHooks(post.results());
      if (!post.done()) {
        start = post.start();
        HookResult r = post.running().orElseThrow();
        String message =
            "the runner has ended; running post hook "
                + r.name()
                + " in pod "
                + r.pod()
                + " (container "
                + r.container()
                + ")";
        return new RunDecision<>(
            withPost.postHooks(steps.job(), message),
            List.of(),
            post.events(),
            Optional.of(HOOK_RECHECK),
            Optional.empty());
      }
      if (post.failure().isPresent() && report.isPresent()) {
        String message =
            "snapshot "
                + report.get().snapshotId()
                + " was committed, but "
                + HookStage.describe(post.failure().get());
        List<Event> events = new ArrayList<>(post.events());
        events.add(Event.warning("HookFailed", message));
        return new RunDecision<>(
            withPost.failedAfterCommit(steps.job(), report.get(), "HookFailed", message),
            List.of(),
            events,
            Optional.empty(),
            Optional.empty());
      }
      return end.withStatus(SnapshotStatuses.withHooks(end.status(), post.results()))
          .withEventsFirst(post.events());
    }
  }
}
