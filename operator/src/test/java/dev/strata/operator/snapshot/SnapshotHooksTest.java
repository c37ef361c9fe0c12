package dev.strata.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.Hook;
import dev.strata.api.v1alpha1.HookErrorPolicy;
import dev.strata.api.v1alpha1.HookResult;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.OnFileChange;
import dev.strata.api.v1alpha1.SnapshotHooks;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.hooks.HookPod;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.hooks.HookStage;
import dev.strata.operator.hooks.PodExec;
import dev.strata.operator.runner.RunObservation;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A snapshot's hooks, reconcile by reconcile: the pre hooks before the Job, the post hooks after it
 * (and after a failed pre stage), each failure policy, a hook cut off by an operator restart, a pod
 * that is missing or lacks the container.
 */
class SnapshotHooksTest {

  static final HookPod POD = new HookPod("app-0", List.of("app", "sidecar"));
  static final String REPORT =
      "{\"snapshotId\":\"20261126T095950.000Z-abcdef\",\"indexKey\":\"snapshots/k/x.json.gz\",\"files\":3,"
          + "\"directories\":2,\"totalBytes\":3000,\"uploadedBytes\":1000,\"reusedBytes\":2000,\"durationMs\":1000}";

  final SnapshotDecider decider =
      new SnapshotDecider(
          new RunnerJobBuilder(OperatorSettings.defaults().withClusterId("c1")),
          Duration.ofSeconds(3),
          "c1");

  /** The hooks in flight, as the runner would answer: absent = unknown to this process. */
  final Map<HookRunner.Key, HookRunner.Polled> inFlight = new HashMap<>();

  static Hook hook(String name, HookErrorPolicy onError, String... command) {
    return new Hook(name, null, List.of(command), 10L, onError);
  }

  static StateSnapshot snapshot(SnapshotHooks hooks, StateSnapshotStatus status) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName("snap")
            .withNamespace("ns")
            .withUid("uid-1")
            .withGeneration(1L)
            .build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource("data", "checkpoint"),
            new LocalObjectRef("store"),
            null,
            null,
            null,
            null,
            null,
            hooks,
            OnFileChange.Fail,
            3));
    s.setStatus(status);
    return s;
  }

  SnapshotDecider.Plan plan(
      StateSnapshot s,
      Optional<HookPod> pod,
      Optional<Job> job,
      Optional<RunnerOutcome<BackupReport>> outcome) {
    RunObservation<BackupReport> run =
        new RunObservation<>(s, job, outcome, Optional.empty(), SnapshotDeciderTest.NOW);
    return decider.plan(
        new SnapshotObservation(
            s,
            run,
            Optional.of(SnapshotDeciderTest.store("True", "Reachable", "ok")),
            Optional.of(SnapshotDeciderTest.pvc("Bound")),
            Optional.empty(),
            pod,
            k -> inFlight.getOrDefault(k, HookRunner.Polled.unknown()),
            Optional::empty));
  }

  /** The hook a plan starts is then running, until {@link #ends} says how it ended. */
  void started(SnapshotDecider.Plan p) {
    inFlight.put(p.hook().orElseThrow().key(), HookRunner.Polled.running());
  }

  void ends(SnapshotDecider.Plan p, PodExec.Outcome outcome) {
    inFlight.put(p.hook().orElseThrow().key(), HookRunner.Polled.ended(outcome));
  }

  static List<String> reasons(SnapshotDecider.Plan p) {
    return p.run().events().stream().map(EventRecorder.Event::reason).toList();
  }

  static String reason(SnapshotDecider.Plan p) {
    return SnapshotDeciderTest.reason(p.run());
  }

  @Test
  void preHookRunsBeforeTheJobAndPostHookAfterItThenTheSnapshotSucceeds() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(hook("checkpoint", null, "checkpoint", "/data/checkpoint")),
            List.of(hook("remove", null, "rm", "-rf", "/data/checkpoint")));
    StateSnapshot s = snapshot(hooks, null);

    // The pre hook starts; no Job yet.
    SnapshotDecider.Plan p1 = plan(s, Optional.of(POD), Optional.empty(), Optional.empty());
    assertThat(p1.run().createdJob()).isEmpty();
    assertThat(p1.hook())
        .hasValueSatisfying(
            h -> {
              assertThat(h.pod()).isEqualTo("app-0");
              assertThat(h.container()).as("the pod's first container by default").isEqualTo("app");
              assertThat(h.command()).containsExactly("checkpoint", "/data/checkpoint");
              assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(10));
              assertThat(h.key().stage()).isEqualTo(HookStage.PRE);
            });
    assertThat(p1.run().status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(reason(p1)).isEqualTo("PreHooks");
    assertThat(p1.run().status().hooks())
        .singleElement()
        .satisfies(r -> assertThat(r.result()).isEqualTo(HookResult.RUNNING));
    started(p1);

    // While it runs, nothing else happens, and it is not started twice.
    SnapshotDecider.Plan p2 =
        plan(
            snapshot(hooks, p1.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p2.hook()).isEmpty();
    assertThat(p2.run().createdJob()).isEmpty();
    assertThat(p2.run().events()).isEmpty();

    // It succeeds: the Job is created in the same step, with its success recorded.
    ends(p1, PodExec.Outcome.exited(0, "checkpoint at sequence 4711"));
    SnapshotDecider.Plan p3 =
        plan(
            snapshot(hooks, p2.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p3.run().createdJob()).isPresent();
    assertThat(reasons(p3)).containsExactly("HookSucceeded", "Started");
    assertThat(p3.run().status().hooks())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.result()).isEqualTo(HookResult.SUCCEEDED);
              assertThat(r.exitCode()).isZero();
              assertThat(r.output()).isEqualTo("checkpoint at sequence 4711");
            });
    Job job = p3.run().createdJob().get();
    assertThat(job.getSpec().getTtlSecondsAfterFinished())
        .as("kept while the post hooks may run")
        .isGreaterThanOrEqualTo(600);

    // The runner succeeds: the post hook runs before the end is recorded, the run stays Running
    // meanwhile.
    Job done = SnapshotDeciderTest.job(s, "Complete", null);
    Optional<RunnerOutcome<BackupReport>> ok =
        Optional.of(RunnerOutcome.parse(0, REPORT, BackupReport.class));
    SnapshotDecider.Plan p4 =
        plan(snapshot(hooks, p3.run().status()), Optional.of(POD), Optional.of(done), ok);
    assertThat(p4.hook())
        .hasValueSatisfying(h -> assertThat(h.key().stage()).isEqualTo(HookStage.POST));
    assertThat(p4.run().status().phase()).isEqualTo(SnapshotPhase.Running);
    assertThat(reason(p4)).isEqualTo("PostHooks");
    assertThat(p4.run().release()).as("the Job stays while the post hooks run").isEmpty();
    assertThat(p4.run().events()).isEmpty();
    started(p4);
    ends(p4, PodExec.Outcome.exited(0, ""));

    SnapshotDecider.Plan p5 =
        plan(snapshot(hooks, p4.run().status()), Optional.of(POD), Optional.of(done), ok);
    assertThat(p5.run().status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(p5.run().status().snapshotIndex().id()).isEqualTo("20261126T095950.000Z-abcdef");
    assertThat(p5.run().status().hooks())
        .extracting(HookResult::stage, HookResult::name, HookResult::result)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("pre", "checkpoint", "Succeeded"),
            org.assertj.core.groups.Tuple.tuple("post", "remove", "Succeeded"));
    assertThat(reasons(p5)).containsExactly("HookSucceeded", "Succeeded");
    // Once that is recorded, the Job is released.
    SnapshotDecider.Plan p6 =
        plan(snapshot(hooks, p5.run().status()), Optional.empty(), Optional.of(done), ok);
    assertThat(p6.run().release()).isPresent();
    assertThat(p6.hook()).isEmpty();
  }

  /**
   * Found on the real node: the pre hook of a snapshot that succeeded stayed Running in its status.
   */
  @Test
  void aStaleReadOfTheStatusNeverWritesAnEndedHookBackAsRunning() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(hook("checkpoint", null, "checkpoint")),
            List.of(hook("remove", null, "rm", "-rf", "/data/c")));
    StateSnapshot s = snapshot(hooks, null);
    SnapshotDecider.Plan p1 = plan(s, Optional.of(POD), Optional.empty(), Optional.empty());
    started(p1);
    ends(p1, PodExec.Outcome.exited(0, "42"));
    SnapshotDecider.Plan p2 =
        plan(
            snapshot(hooks, p1.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p2.run().createdJob()).isPresent();

    // The new Job wakes the snapshot before the cache holds p2's status: the step reads p1's (pre
    // hook Running).
    Job running = SnapshotDeciderTest.job(s, null, null);
    SnapshotDecider.Plan p3 =
        plan(
            snapshot(hooks, p1.run().status()),
            Optional.of(POD),
            Optional.of(running),
            Optional.empty());
    assertThat(p3.run().status().phase()).isEqualTo(SnapshotPhase.Running);
    assertThat(p3.run().status().hooks())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.result()).isEqualTo(HookResult.SUCCEEDED);
              assertThat(r.output()).isEqualTo("42");
            });

    // The same stale read once the runner ended: the post hook starts, the pre hook's end stays.
    Job done = SnapshotDeciderTest.job(s, "Complete", null);
    Optional<RunnerOutcome<BackupReport>> ok =
        Optional.of(RunnerOutcome.parse(0, REPORT, BackupReport.class));
    SnapshotDecider.Plan p4 =
        plan(snapshot(hooks, p1.run().status()), Optional.of(POD), Optional.of(done), ok);
    assertThat(p4.hook())
        .hasValueSatisfying(h -> assertThat(h.key().stage()).isEqualTo(HookStage.POST));
    assertThat(p4.run().status().hooks())
        .extracting(HookResult::stage, HookResult::result)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("pre", HookResult.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("post", HookResult.RUNNING));
  }

  @Test
  void aFailedPreHookFailsTheSnapshotWithoutAJobOnceThePostHooksUndidWhatItDid() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(
                hook("freeze", HookErrorPolicy.Fail, "fsfreeze", "-f", "/data"),
                hook("never", null, "true")),
            List.of(hook("thaw", HookErrorPolicy.Continue, "fsfreeze", "-u", "/data")));
    SnapshotDecider.Plan p1 =
        plan(snapshot(hooks, null), Optional.of(POD), Optional.empty(), Optional.empty());
    started(p1);
    ends(p1, PodExec.Outcome.exited(1, "fsfreeze: /data: freeze failed: Operation not permitted"));

    SnapshotDecider.Plan p2 =
        plan(
            snapshot(hooks, p1.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p2.run().createdJob()).isEmpty();
    assertThat(p2.hook())
        .as("the post hook, not the second pre hook")
        .hasValueSatisfying(
            h -> assertThat(h.command()).containsExactly("fsfreeze", "-u", "/data"));
    assertThat(reason(p2)).isEqualTo("PostHooks");
    assertThat(reasons(p2)).containsExactly("HookFailed");
    started(p2);
    ends(p2, PodExec.Outcome.exited(0, ""));

    SnapshotDecider.Plan p3 =
        plan(
            snapshot(hooks, p2.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p3.run().createdJob()).isEmpty();
    assertThat(p3.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(p3)).isEqualTo("HookFailed");
    assertThat(p3.run().status().message())
        .contains("pre hook failed, no backup ran")
        .contains("freeze")
        .contains("exited with 1")
        .contains("Operation not permitted")
        .contains("onError Fail");
    assertThat(p3.run().status().hooks())
        .extracting(HookResult::name)
        .containsExactly("freeze", "thaw");
    assertThat(reasons(p3)).containsExactly("HookSucceeded", "HookFailed");
    // Ended: nothing runs again.
    SnapshotDecider.Plan p4 =
        plan(
            snapshot(hooks, p3.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p4.hook()).isEmpty();
    assertThat(p4.run().status()).isEqualTo(p3.run().status());
  }

  @Test
  void aHookThatFailsWithContinueWarnsAndTheBackupGoesOn() {
    SnapshotHooks hooks =
        new SnapshotHooks(List.of(hook("flush", HookErrorPolicy.Continue, "flush")), null);
    SnapshotDecider.Plan p1 =
        plan(snapshot(hooks, null), Optional.of(POD), Optional.empty(), Optional.empty());
    started(p1);
    ends(p1, PodExec.Outcome.timedOut("flushing..."));
    SnapshotDecider.Plan p2 =
        plan(
            snapshot(hooks, p1.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p2.run().createdJob()).isPresent();
    assertThat(reasons(p2)).containsExactly("HookFailed", "Started");
    assertThat(p2.run().events().get(0).type()).isEqualTo(EventRecorder.WARNING);
    assertThat(p2.run().events().get(0).note()).contains("timed out").contains("onError Continue");
    assertThat(p2.run().status().hooks())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.result()).isEqualTo(HookResult.TIMED_OUT);
              assertThat(r.message()).contains("did not exit within 10 s");
            });
  }

  @Test
  void aPostHookThatFailsWithFailFailsACommittedSnapshotButKeepsItsIndex() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            null, List.of(hook("thaw", HookErrorPolicy.Fail, "fsfreeze", "-u", "/data")));
    StateSnapshot s = snapshot(hooks, null);
    SnapshotDecider.Plan p1 = plan(s, Optional.of(POD), Optional.empty(), Optional.empty());
    assertThat(p1.run().createdJob()).as("no pre hooks: the Job at once").isPresent();
    Job done = SnapshotDeciderTest.job(s, "Complete", null);
    Optional<RunnerOutcome<BackupReport>> ok =
        Optional.of(RunnerOutcome.parse(0, REPORT, BackupReport.class));
    SnapshotDecider.Plan p2 =
        plan(snapshot(hooks, p1.run().status()), Optional.of(POD), Optional.of(done), ok);
    started(p2);
    ends(p2, PodExec.Outcome.notRun("pod app-0 is gone"));
    SnapshotDecider.Plan p3 =
        plan(snapshot(hooks, p2.run().status()), Optional.of(POD), Optional.of(done), ok);
    assertThat(p3.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(p3)).isEqualTo("HookFailed");
    assertThat(p3.run().status().snapshotIndex().id())
        .as("committed: findable, and removed from the store with the object")
        .isEqualTo("20261126T095950.000Z-abcdef");
    assertThat(p3.run().status().message())
        .contains("was committed, but post hook thaw")
        .contains("pod app-0 is gone");
    assertThat(p3.run().release()).as("a failed run's Job stays for its log").isEmpty();
  }

  @Test
  void aRunnerThatFailedStillGetsItsPostHooksAndStaysFailed() {
    SnapshotHooks hooks =
        new SnapshotHooks(null, List.of(hook("cleanup", null, "rm", "-rf", "/data/checkpoint")));
    StateSnapshot s = snapshot(hooks, null);
    SnapshotDecider.Plan p1 = plan(s, Optional.of(POD), Optional.empty(), Optional.empty());
    Job failed = SnapshotDeciderTest.job(s, "Failed", "BackoffLimitExceeded");
    Optional<RunnerOutcome<BackupReport>> out =
        Optional.of(
            RunnerOutcome.parse(
                1,
                "{\"error\":\"file a.sst changed while it was backed up\",\"cause\":\"FILE_CHANGED\"}",
                BackupReport.class));
    SnapshotDecider.Plan p2 =
        plan(snapshot(hooks, p1.run().status()), Optional.of(POD), Optional.of(failed), out);
    assertThat(p2.hook()).isPresent();
    assertThat(p2.run().status().phase()).isEqualTo(SnapshotPhase.Running);
    started(p2);
    ends(p2, PodExec.Outcome.exited(0, ""));
    SnapshotDecider.Plan p3 =
        plan(snapshot(hooks, p2.run().status()), Optional.of(POD), Optional.of(failed), out);
    assertThat(p3.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(p3)).isEqualTo("SourceChanged");
    assertThat(p3.run().status().hooks())
        .singleElement()
        .satisfies(r -> assertThat(r.result()).isEqualTo(HookResult.SUCCEEDED));
  }

  DeletionHooks.Step onDelete(StateSnapshot s, Optional<HookPod> pod) {
    return DeletionHooks.next(
        s,
        pod,
        k -> inFlight.getOrDefault(k, HookRunner.Polled.unknown()),
        SnapshotDeciderTest.NOW);
  }

  /**
   * Deleting a snapshot while its pre hook (a freeze) runs must not leave the volume frozen: the
   * object waits for the pre hook to end, then runs the post hooks (the thaw), then goes.
   */
  @Test
  void aSnapshotDeletedWhileItsPreHookRunsWaitsForItThenRunsItsPostHooksBeforeItGoes() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(
                hook("freeze", HookErrorPolicy.Fail, "fsfreeze", "-f", "/data"),
                hook("never", HookErrorPolicy.Fail, "true")),
            List.of(hook("thaw", HookErrorPolicy.Fail, "fsfreeze", "-u", "/data")));
    SnapshotDecider.Plan p1 =
        plan(snapshot(hooks, null), Optional.of(POD), Optional.empty(), Optional.empty());
    started(p1);
    StateSnapshot deleted = snapshot(hooks, p1.run().status());

    DeletionHooks.Step waiting = onDelete(deleted, Optional.of(POD));
    assertThat(waiting.done()).isFalse();
    assertThat(waiting.start()).as("nothing starts while the pre hook runs").isEmpty();

    ends(p1, PodExec.Outcome.exited(0, "frozen"));
    DeletionHooks.Step thaw = onDelete(deleted, Optional.of(POD));
    assertThat(thaw.done()).isFalse();
    assertThat(thaw.start().orElseThrow().command()).containsExactly("fsfreeze", "-u", "/data");
    assertThat(thaw.results())
        .extracting(HookResult::stage, HookResult::name, HookResult::result)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("pre", "freeze", HookResult.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("post", "thaw", HookResult.RUNNING));
    inFlight.put(thaw.start().get().key(), HookRunner.Polled.running());
    StateSnapshot thawing =
        snapshot(hooks, SnapshotStatuses.withHooks(deleted.getStatus(), thaw.results()));
    assertThat(onDelete(thawing, Optional.of(POD)).done()).isFalse();

    inFlight.put(thaw.start().get().key(), HookRunner.Polled.ended(PodExec.Outcome.exited(0, "")));
    DeletionHooks.Step gone = onDelete(thawing, Optional.of(POD));
    assertThat(gone.done()).isTrue();
    assertThat(gone.start()).isEmpty();
    assertThat(gone.results())
        .extracting(HookResult::name, HookResult::result)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("freeze", HookResult.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("thaw", HookResult.SUCCEEDED));
    assertThat(gone.events()).extracting(EventRecorder.Event::reason).isNotEmpty();
    assertThat(DeletionHooks.owes(thawing)).as("the thaw runs").isTrue();
    assertThat(
            DeletionHooks.owes(
                snapshot(hooks, SnapshotStatuses.withHooks(deleted.getStatus(), gone.results()))))
        .as("once the thaw has ended, nothing is owed")
        .isFalse();
  }

  @Test
  void aSnapshotDeletedBeforeAnyPreHookStartedOrAfterItsPostHooksOwesNothing() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(hook("freeze", HookErrorPolicy.Fail, "freeze")),
            List.of(hook("thaw", HookErrorPolicy.Fail, "thaw")));
    DeletionHooks.Step fresh = onDelete(snapshot(hooks, null), Optional.of(POD));
    assertThat(fresh.done()).isTrue();
    assertThat(fresh.start()).isEmpty();
  }

  @Test
  void aDeletedSnapshotWhosePodIsGoneRecordsItsPostHookAsFailedAndGoes() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(hook("freeze", HookErrorPolicy.Fail, "freeze")),
            List.of(hook("thaw", HookErrorPolicy.Fail, "thaw")));
    SnapshotDecider.Plan p1 =
        plan(snapshot(hooks, null), Optional.of(POD), Optional.empty(), Optional.empty());
    ends(p1, PodExec.Outcome.exited(0, ""));
    DeletionHooks.Step step = onDelete(snapshot(hooks, p1.run().status()), Optional.empty());
    assertThat(step.done()).isTrue();
    assertThat(step.start()).isEmpty();
    assertThat(step.results())
        .extracting(HookResult::name, HookResult::result)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("freeze", HookResult.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("thaw", HookResult.FAILED));
  }

  @Test
  void aHookCutOffByAnOperatorRestartHasFailed() {
    SnapshotHooks hooks =
        new SnapshotHooks(List.of(hook("checkpoint", HookErrorPolicy.Fail, "checkpoint")), null);
    SnapshotDecider.Plan p1 =
        plan(snapshot(hooks, null), Optional.of(POD), Optional.empty(), Optional.empty());
    // No started(p1): the process that started it is gone, and this one does not know it.
    SnapshotDecider.Plan p2 =
        plan(
            snapshot(hooks, p1.run().status()),
            Optional.of(POD),
            Optional.empty(),
            Optional.empty());
    assertThat(p2.hook()).as("not run again").isEmpty();
    assertThat(p2.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(p2.run().status().message()).contains("the operator restarted while it ran");
  }

  @Test
  void noPodOrNoSuchContainerFailsTheHookWithAMessageThatSaysWhy() {
    SnapshotHooks hooks =
        new SnapshotHooks(
            List.of(hook("checkpoint", HookErrorPolicy.Fail, "checkpoint")),
            List.of(hook("rm", null, "rm")));
    SnapshotDecider.Plan noPod =
        plan(snapshot(hooks, null), Optional.empty(), Optional.empty(), Optional.empty());
    assertThat(noPod.hook()).as("post hooks need no undoing: no pre hook ran").isEmpty();
    assertThat(noPod.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(noPod.run().status().message())
        .contains("no running pod uses PersistentVolumeClaim data");

    SnapshotHooks elsewhere =
        new SnapshotHooks(
            List.of(new Hook("checkpoint", "db", List.of("checkpoint"), null, null)), null);
    SnapshotDecider.Plan noContainer =
        plan(snapshot(elsewhere, null), Optional.of(POD), Optional.empty(), Optional.empty());
    assertThat(noContainer.run().status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(noContainer.run().status().message())
        .contains("pod app-0 has no container db (it has app, sidecar)");

    SnapshotHooks inSidecar =
        new SnapshotHooks(List.of(new Hook(null, "sidecar", List.of("true"), null, null)), null);
    SnapshotDecider.Plan named =
        plan(snapshot(inSidecar, null), Optional.of(POD), Optional.empty(), Optional.empty());
    assertThat(named.hook())
        .hasValueSatisfying(
            h -> {
              assertThat(h.container()).isEqualTo("sidecar");
              assertThat(h.timeout()).as("the default").isEqualTo(Duration.ofSeconds(30));
            });
    assertThat(named.run().status().hooks())
        .singleElement()
        .satisfies(r -> assertThat(r.name()).isEqualTo("pre-1"));
  }

  @Test
  void theFileChangePolicyReachesTheRunner() {
    StateSnapshot s = snapshot(null, null);
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource("data", null),
            new LocalObjectRef("store"),
            null,
            null,
            null,
            null,
            null,
            null,
            OnFileChange.Record,
            5));
    Job job =
        plan(s, Optional.empty(), Optional.empty(), Optional.empty())
            .run()
            .createdJob()
            .orElseThrow();
    List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertThat(String.join(" ", args))
        .contains("--on-file-change record")
        .contains("--file-change-retries 5");
  }
}
