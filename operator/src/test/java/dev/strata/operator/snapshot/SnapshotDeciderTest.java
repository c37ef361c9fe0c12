package dev.strata.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.report.BackupReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunObservation;
import dev.strata.operator.runner.RunnerJobs;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotDeciderTest {

  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  final SnapshotDecider decider =
      new SnapshotDecider(
          new RunnerJobBuilder(OperatorSettings.defaults().withClusterId("c1")),
          Duration.ofSeconds(3),
          "c1");

  static StateSnapshot snapshot(StateSnapshotStatus status) {
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
            new SnapshotSource("data", null),
            new LocalObjectRef("store"),
            null,
            null,
            null,
            null,
            null));
    s.setStatus(status);
    return s;
  }

  static SnapshotStore store(String ready, String reason, String message) {
    SnapshotStore st = new SnapshotStore();
    st.setMetadata(new ObjectMetaBuilder().withName("store").withNamespace("ns").build());
    st.setSpec(
        new SnapshotStoreSpec(
            "http://minio:9000",
            "bucket",
            null,
            null,
            true,
            new CredentialsSecretRef("creds", null, null),
            null,
            null,
            null));
    if (ready != null) {
      st.setStatus(
          new SnapshotStoreStatus(
              Conditions.set(null, Conditions.READY, ready, reason, message, 1L, NOW),
              1L,
              NOW.toString(),
              null));
    }
    return st;
  }

  static PersistentVolumeClaim pvc(String phase) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName("data")
        .withNamespace("ns")
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }

  static Job job(StateSnapshot owner, String conditionType, String reason) {
    JobBuilder b =
        new JobBuilder()
            .withNewMetadata()
            .withName("snap-backup")
            .withNamespace("ns")
            .addNewOwnerReference()
            .withUid(owner.getMetadata().getUid())
            .withName("snap")
            .withKind("StateSnapshot")
            .withApiVersion("strata.dev/v1alpha1")
            .endOwnerReference()
            .endMetadata();
    if (conditionType != null) {
      b.withNewStatus()
          .withConditions(
              new JobConditionBuilder()
                  .withType(conditionType)
                  .withStatus("True")
                  .withReason(reason)
                  .withMessage("job " + reason)
                  .build())
          .endStatus();
    }
    return b.build();
  }

  RunDecision<StateSnapshotStatus> decide(
      StateSnapshot s,
      Optional<SnapshotStore> store,
      Optional<PersistentVolumeClaim> pvc,
      Optional<Job> job,
      Optional<RunnerOutcome<BackupReport>> outcome,
      Optional<TransferProgress> progress) {
    return decider.decide(
        new SnapshotObservation(
            s, new RunObservation<>(s, job, outcome, progress, NOW), store, pvc, Optional.empty()));
  }

  static String reason(RunDecision<StateSnapshotStatus> d) {
    return Conditions.find(d.status().conditions(), Conditions.READY).orElseThrow().getReason();
  }

  @Test
  void createsOneJobWhenStoreReadyAndPvcBound() {
    RunDecision<StateSnapshotStatus> d =
        decide(
            snapshot(null),
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.createdJob()).isPresent();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Running);
    assertThat(d.status().jobName()).isEqualTo("snap-backup");
    assertThat(d.status().sourceId()).isEqualTo("c1:ns/data/");
    assertThat(
            d.createdJob().get().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .as(
            "its source in this cluster; its newest snapshot from before clusters were named is the base until it has one")
        .containsSubsequence("--source-id", "c1:ns/data/", "--former-source-id", "ns/data/");
    assertThat(d.events()).extracting(EventRecorder.Event::reason).containsExactly("Started");
  }

  @Test
  void aVolumeARestoreWritesIntoWaitsForItsEndWithoutAJob() {
    StateSnapshot s = snapshot(null);
    RunDecision<StateSnapshotStatus> d =
        decider.decide(
            new SnapshotObservation(
                s,
                RunObservation.none(s, Optional.empty(), NOW),
                Optional.of(store("True", "Reachable", "ok")),
                Optional.of(pvc("Bound")),
                Optional.empty(),
                Optional.empty(),
                k -> HookRunner.Polled.unknown(),
                () -> Optional.of("restore Job r-restore of StateRestore r")));
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(reason(d)).isEqualTo("SourceBusy");
    assertThat(d.status().message())
        .isEqualTo(
            "PersistentVolumeClaim data is being written by Strata's restore Job r-restore of"
                + " StateRestore r: the backup starts once that restore has ended");
    assertThat(d.requeueAfter()).isPresent();
  }

  @Test
  void missingStoreOrPvcWaitsWithAConditionAndNoJob() {
    RunDecision<StateSnapshotStatus> noStore =
        decide(
            snapshot(null),
            Optional.empty(),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(noStore.createdJob()).isEmpty();
    assertThat(noStore.status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(reason(noStore)).isEqualTo("StoreNotFound");
    assertThat(noStore.status().message())
        .contains("SnapshotStore store does not exist in namespace ns");
    assertThat(noStore.requeueAfter()).isPresent();

    RunDecision<StateSnapshotStatus> noPvc =
        decide(
            snapshot(null),
            Optional.of(store("True", "Reachable", "ok")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(noPvc.createdJob()).isEmpty();
    assertThat(reason(noPvc)).isEqualTo("PVCNotFound");
    assertThat(noPvc.status().message()).contains("PersistentVolumeClaim data does not exist");

    RunDecision<StateSnapshotStatus> unbound =
        decide(
            snapshot(null),
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Pending")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(unbound.createdJob()).isEmpty();
    assertThat(reason(unbound)).isEqualTo("PVCNotBound");
  }

  @Test
  void aWaitIsAnnouncedOnceNotOnEveryReconcile() {
    RunDecision<StateSnapshotStatus> first =
        decide(
            snapshot(null),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    RunDecision<StateSnapshotStatus> second =
        decide(
            snapshot(first.status()),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(first.events()).hasSize(1);
    assertThat(second.events()).isEmpty();
    assertThat(second.status()).isEqualTo(first.status());
  }

  @Test
  void storeNotCheckedYetWaitsButStoreNotReadyFails() {
    RunDecision<StateSnapshotStatus> unchecked =
        decide(
            snapshot(null),
            Optional.of(store(null, null, null)),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(unchecked.status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(reason(unchecked)).isEqualTo("StoreNotChecked");

    RunDecision<StateSnapshotStatus> bad =
        decide(
            snapshot(null),
            Optional.of(store("False", "InvalidCredentials", "access denied for access key AKIA…")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(bad.createdJob()).isEmpty();
    assertThat(bad.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(bad.status().message())
        .contains("SnapshotStore store is not ready (InvalidCredentials)")
        .contains("access denied");
  }

  @Test
  void runningJobReportsProgressAndLooksAgainSoon() {
    StateSnapshot s = snapshot(null);
    RunDecision<StateSnapshotStatus> created =
        decide(
            s,
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    StateSnapshot running = snapshot(created.status());
    TransferProgress p = new TransferProgress(5L, 10L, 500L, 1000L, 100L);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, null, null)),
            Optional.empty(),
            Optional.of(p));
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.status().progress()).isEqualTo(p);
    assertThat(d.status().startTime()).isEqualTo(created.status().startTime());
    assertThat(d.requeueAfter()).contains(Duration.ofSeconds(3));
  }

  @Test
  void completedJobSucceedsWithTheIndexSummary() {
    StateSnapshot running =
        snapshot(
            new StateSnapshotStatus(
                SnapshotPhase.Running,
                "ns/data/",
                "snap-backup",
                NOW.minusSeconds(10).toString(),
                null,
                null,
                null,
                null,
                null,
                null,
                1L,
                null));
    RunnerOutcome<BackupReport> out =
        RunnerOutcome.parse(
            0,
            "{\"snapshotId\":\"20261126T095950.000Z-abcdef\",\"indexKey\":\"snapshots/k/x.json.gz\",\"previousSnapshotId\":null,\"files\":3,\"directories\":2,\"totalBytes\":3000,\"uploadedBytes\":1000,\"reusedBytes\":2000,\"durationMs\":1000}",
            BackupReport.class);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, "Complete", null)),
            Optional.of(out),
            Optional.empty());
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(d.status().snapshotIndex().id()).isEqualTo("20261126T095950.000Z-abcdef");
    assertThat(d.status().snapshotIndex().key()).isEqualTo("snapshots/k/x.json.gz");
    assertThat(d.status().snapshotIndex().uploadedBytes()).isEqualTo(1000);
    assertThat(d.status().size()).isEqualTo("2.9 KiB");
    assertThat(d.status().progress().bytesDone()).isEqualTo(3000);
    assertThat(d.status().completionTime()).isEqualTo(NOW.toString());
    assertThat(Conditions.isTrue(d.status().conditions(), Conditions.READY)).isTrue();
    assertThat(d.events()).extracting(EventRecorder.Event::reason).containsExactly("Succeeded");
  }

  @Test
  void filesTheRunnerRecordedAsChangedOrVanishedAreInTheStatusAndTheMessage() {
    StateSnapshot running =
        snapshot(
            new StateSnapshotStatus(
                SnapshotPhase.Running,
                "ns/data/",
                "snap-backup",
                NOW.minusSeconds(10).toString(),
                null,
                null,
                null,
                null,
                null,
                null,
                1L,
                null));
    RunnerOutcome<BackupReport> out =
        RunnerOutcome.parse(
            0,
            "{\"snapshotId\":\"id\",\"files\":3,\"totalBytes\":3000,\"uploadedBytes\":1000,"
                + "\"changedFiles\":[\"LOG\",\"MANIFEST-000005\"],\"changedFilesCount\":2,\"vanishedFiles\":[\"000042.sst\"],\"vanishedFilesCount\":1}",
            BackupReport.class);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, "Complete", null)),
            Optional.of(out),
            Optional.empty());
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(d.status().fileChanges())
        .isEqualTo(
            new dev.strata.api.v1alpha1.FileChanges(
                List.of("LOG", "MANIFEST-000005"), 2, List.of("000042.sst"), 1));
    assertThat(d.status().message())
        .endsWith(
            "; 2 files changed while read (recorded as last read), 1 vanished: see status.fileChanges");

    RunnerOutcome<BackupReport> clean =
        RunnerOutcome.parse(
            0,
            "{\"snapshotId\":\"id\",\"files\":3,\"totalBytes\":3000,\"uploadedBytes\":1000}",
            BackupReport.class);
    RunDecision<StateSnapshotStatus> none =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, "Complete", null)),
            Optional.of(clean),
            Optional.empty());
    assertThat(none.status().fileChanges()).isNull();
    assertThat(none.status().message()).doesNotContain("changed");
  }

  @Test
  void failedJobCarriesTheRunnersErrorLine() {
    StateSnapshot running = running(NOW);
    RunnerOutcome<BackupReport> out =
        RunnerOutcome.parse(
            1,
            "{\"error\":\"cannot reach http://minio:9000 (connection refused): check the endpoint\",\"cause\":\"STORE_UNREACHABLE\"}",
            BackupReport.class);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, "Failed", "BackoffLimitExceeded")),
            Optional.of(out),
            Optional.empty());
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(d.status().message())
        .isEqualTo(
            "the runner failed: cannot reach http://minio:9000 (connection refused): check the endpoint");
    assertThat(reason(d)).isEqualTo("Unreachable");
    assertThat(d.events()).extracting(EventRecorder.Event::reason).containsExactly("Unreachable");
  }

  @Test
  void theReasonComesFromTheCauseNeverFromTheWording() {
    StateSnapshot running = running(NOW);
    Job failed = job(running, "Failed", "BackoffLimitExceeded");
    // What a runner from before causes wrote: its words name a changed file, but nothing says so in
    // a way to trust.
    RunnerOutcome<BackupReport> untyped =
        RunnerOutcome.parse(
            1, "{\"error\":\"file a.sst changed while it was backed up\"}", BackupReport.class);
    assertThat(
            reason(
                decide(
                    running,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(failed),
                    Optional.of(untyped),
                    Optional.empty())))
        .isEqualTo("RunnerFailed");
    RunnerOutcome<BackupReport> typed =
        RunnerOutcome.parse(
            1,
            "{\"error\":\"file a.sst changed while it was backed up\",\"cause\":\"FILE_CHANGED\"}",
            BackupReport.class);
    assertThat(
            reason(
                decide(
                    running,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(failed),
                    Optional.of(typed),
                    Optional.empty())))
        .isEqualTo("SourceChanged");
    // A runner killed before it wrote its result: the tail of its log.
    RunnerOutcome<BackupReport> killed =
        RunnerOutcome.parse(
            137, "Picked up JAVA_TOOL_OPTIONS\nstrata: out of memory\n", BackupReport.class);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(failed),
            Optional.of(killed),
            Optional.empty());
    assertThat(reason(d)).isEqualTo("RunnerFailed");
    assertThat(d.status().message()).isEqualTo("the runner failed: out of memory");
  }

  @Test
  void deadlineExceededSaysWhatToRaise() {
    StateSnapshot running = running(NOW);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, "Failed", "DeadlineExceeded")),
            Optional.empty(),
            Optional.empty());
    assertThat(reason(d)).isEqualTo("DeadlineExceeded");
    assertThat(d.status().message())
        .contains("spec.activeDeadlineSeconds")
        .contains("raise it, or spec.parallelism");
  }

  /**
   * A runner pod the scheduler cannot place (a tainted node) says so while it waits, with the
   * scheduler's words, once as a Warning; when the Job's deadline ends it, the run fails with that
   * reason rather than "did not finish".
   */
  @Test
  void anUnschedulableRunnerSaysWhyWhileItWaitsAndFailsWithThatReasonAtItsDeadline() {
    StateSnapshot s = snapshot(null);
    RunDecision<StateSnapshotStatus> created =
        decide(
            s,
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    StateSnapshot running = snapshot(created.status());
    Job job = job(running, null, null);
    job.setSpec(
        new io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder()
            .withActiveDeadlineSeconds(60L)
            .build());
    io.fabric8.kubernetes.api.model.Pod pending =
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata()
            .withName("snap-backup-x7k2p")
            .withNamespace("ns")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage(
                "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}.")
            .endCondition()
            .endStatus()
            .build();
    Optional<dev.strata.operator.runner.RunnerWaiting> waiting =
        dev.strata.operator.runner.RunnerWaiting.of(List.of(pending));
    RunDecision<StateSnapshotStatus> first =
        decider.decide(
            new SnapshotObservation(
                running,
                new RunObservation<>(
                    running, Optional.of(job), Optional.empty(), Optional.empty(), waiting, NOW),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(first.status().phase()).isEqualTo(SnapshotPhase.Running);
    assertThat(reason(first)).isEqualTo("Unschedulable");
    assertThat(first.status().message())
        .isEqualTo(
            "the runner pod snap-backup-x7k2p cannot be scheduled: 0/1 nodes are available: 1 node(s)"
                + " had untolerated taint {dedicated: db}. (give runners a toleration or nodeSelector that fits a node: spec.runner here or on the"
                + " SnapshotStore, or the chart's runner.podDefaults); the run fails if it has not started within spec.activeDeadlineSeconds (60 s)");
    assertThat(first.events())
        .extracting(EventRecorder.Event::type, EventRecorder.Event::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Warning", "Unschedulable"));

    StateSnapshot stillWaiting = snapshot(first.status());
    RunDecision<StateSnapshotStatus> again =
        decider.decide(
            new SnapshotObservation(
                stillWaiting,
                new RunObservation<>(
                    stillWaiting,
                    Optional.of(job),
                    Optional.empty(),
                    Optional.empty(),
                    waiting,
                    NOW),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(again.events()).as("no Event storm while it waits").isEmpty();
    assertThat(again.status()).isEqualTo(first.status());

    // At the deadline the Job controller deletes the pod, and the pod's deletion may be seen before
    // the Job's end.
    RunDecision<StateSnapshotStatus> podGone =
        decider.decide(
            new SnapshotObservation(
                stillWaiting,
                new RunObservation<>(
                    stillWaiting,
                    Optional.of(job),
                    Optional.empty(),
                    Optional.empty(),
                    dev.strata.operator.runner.RunnerWaiting.of(List.of()),
                    NOW),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(podGone.status())
        .as("still waiting, not Running: it never started")
        .isEqualTo(first.status());
    assertThat(podGone.events()).isEmpty();

    Job expired = job(stillWaiting, "Failed", "DeadlineExceeded");
    expired.setSpec(job.getSpec());
    RunDecision<StateSnapshotStatus> failed =
        decide(
            stillWaiting,
            Optional.empty(),
            Optional.empty(),
            Optional.of(expired),
            Optional.empty(),
            Optional.empty());
    assertThat(failed.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(failed)).isEqualTo("Unschedulable");
    assertThat(failed.status().message())
        .startsWith("the runner pod snap-backup-x7k2p cannot be scheduled: 0/1 nodes are available")
        .endsWith("; it had not started when spec.activeDeadlineSeconds (60 s) passed");
  }

  @Test
  void aPodThatIsOnlyStartingOrARunningPodIsNotWaiting() {
    io.fabric8.kubernetes.api.model.Pod creating =
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata()
            .withName("a")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("True")
            .endCondition()
            .addNewContainerStatus()
            .withName("runner")
            .withNewState()
            .withNewWaiting()
            .withReason("ContainerCreating")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(dev.strata.operator.runner.RunnerWaiting.of(List.of(creating))).isEmpty();
    // A Job whose pod is not there yet is not waiting for anything: it starts Running as before.
    StateSnapshot s = snapshot(null);
    RunDecision<StateSnapshotStatus> created =
        decide(
            s,
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    StateSnapshot started = snapshot(created.status());
    RunDecision<StateSnapshotStatus> noPodYet =
        decider.decide(
            new SnapshotObservation(
                started,
                new RunObservation<>(
                    started,
                    Optional.of(job(started, null, null)),
                    Optional.empty(),
                    Optional.empty(),
                    dev.strata.operator.runner.RunnerWaiting.of(List.of()),
                    NOW),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(reason(noPodYet)).isEqualTo("Running");
    io.fabric8.kubernetes.api.model.Pod pullFails =
        new io.fabric8.kubernetes.api.model.PodBuilder(creating)
            .editStatus()
            .editFirstContainerStatus()
            .editState()
            .editWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"r/x:1\"")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(dev.strata.operator.runner.RunnerWaiting.of(List.of(pullFails)))
        .hasValueSatisfying(
            w -> {
              assertThat(w.reason()).isEqualTo("ImagePullBackOff");
              assertThat(w.message(60L))
                  .contains("cannot start its container (ImagePullBackOff): Back-off pulling image")
                  .contains("imagePullSecrets");
            });
  }

  /** A snapshot whose runner's Job was created and recorded (Running) at {@code started}. */
  static StateSnapshot running(Instant started) {
    return snapshot(
        new StateSnapshotStatus(
            SnapshotPhase.Running,
            "ns/data/",
            "snap-backup",
            started.toString(),
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            null));
  }

  @Test
  void aVanishedJobFailsInsteadOfStartingAgain() {
    StateSnapshot running = running(NOW);
    RunDecision<StateSnapshotStatus> d =
        decide(
            running,
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.createdJob()).isEmpty();
    assertThat(reason(d)).isEqualTo("JobLost");
  }

  @Test
  void aVanishedJobWhoseSnapshotIsInTheStoreSucceedsWithThatIndex() {
    // The operator was down while the runner committed, and longer than the Job's TTL.
    StateSnapshot running = running(NOW);
    BackupReport committed =
        RunnerOutcome.parse(
                0,
                "{\"snapshotId\":\"20261126T000000.000Z-abcdef\",\"indexKey\":\"snapshots/x/y.json.gz\",\"files\":3}",
                BackupReport.class)
            .report()
            .orElseThrow();
    RunDecision<StateSnapshotStatus> d =
        decider.decide(
            new SnapshotObservation(
                running,
                RunObservation.<BackupReport>none(running, Optional.empty(), NOW)
                    .withLostResult(Optional.of(committed)),
                Optional.of(store("True", "Reachable", "ok")),
                Optional.of(pvc("Bound")),
                Optional.empty()));
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(d.status().jobName()).isEqualTo("snap-backup");
    assertThat(d.status().snapshotIndex().id()).isEqualTo("20261126T000000.000Z-abcdef");
    assertThat(d.status().snapshotIndex().files()).isEqualTo(3);
  }

  /** The Job as the TTL controller leaves it while it still holds its result: deleted, kept. */
  static Job expiredButHeld(Job job) {
    job.getMetadata().setDeletionTimestamp(NOW.toString());
    job.getMetadata().setFinalizers(List.of("foregroundDeletion", RunnerJobs.RESULT_FINALIZER));
    return job;
  }

  /** With the store ready and the PVC bound. */
  RunDecision<StateSnapshotStatus> decideReady(
      StateSnapshot s, Optional<Job> job, Optional<RunnerOutcome<BackupReport>> outcome) {
    return decide(
        s,
        Optional.of(store("True", "Reachable", "ok")),
        Optional.of(pvc("Bound")),
        job,
        outcome,
        Optional.empty());
  }

  static final String COMMITTED =
      "{\"snapshotId\":\"20261126T000000.000Z-abcdef\",\"indexKey\":\"snapshots/x/y.json.gz\",\"files\":3}";

  @Test
  void theBackupJobAndItsPodsHoldTheResultUntilItIsRecorded() {
    Job job =
        decide(
                snapshot(null),
                Optional.of(store("True", "Reachable", "ok")),
                Optional.of(pvc("Bound")),
                Optional.empty(),
                Optional.empty(),
                Optional.empty())
            .createdJob()
            .orElseThrow();
    assertThat(job.getMetadata().getFinalizers()).containsExactly(RunnerJobs.RESULT_FINALIZER);
    assertThat(job.getSpec().getTemplate().getMetadata().getFinalizers())
        .as("the pods' termination message is the runner's result")
        .containsExactly(RunnerJobs.RESULT_FINALIZER);
  }

  @Test
  void aJobThatExpiredBeforeAnyOperatorRecordedItsStartIsReadNotRunAgain() {
    // The operator died after creating the Job and before recording Running; the Job finished and
    // its TTL passed before an operator came back: it is still there, held, and its result is read.
    StateSnapshot pending = snapshot(null);
    RunDecision<StateSnapshotStatus> d =
        decideReady(
            pending,
            Optional.of(expiredButHeld(job(pending, "Complete", "Completed"))),
            Optional.of(RunnerOutcome.parse(0, COMMITTED, BackupReport.class)));
    assertThat(d.createdJob()).as("no second backup").isEmpty();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(d.status().snapshotIndex().id()).isEqualTo("20261126T000000.000Z-abcdef");
    assertThat(d.letGo()).as("let go only once the end is recorded").isEmpty();

    StateSnapshot recorded = snapshot(d.status());
    RunDecision<StateSnapshotStatus> next =
        decideReady(
            recorded,
            Optional.of(expiredButHeld(job(recorded, "Complete", "Completed"))),
            Optional.empty());
    assertThat(next.letGo()).isPresent();
    assertThat(next.release()).as("being deleted already").isEmpty();
    assertThat(next.status()).isEqualTo(d.status());
  }

  @Test
  void aJobDeletedBeforeItFinishedFailsTheRun() {
    StateSnapshot running = running(NOW);
    RunDecision<StateSnapshotStatus> d =
        decideReady(
            running, Optional.of(expiredButHeld(job(running, null, null))), Optional.empty());
    assertThat(d.createdJob()).isEmpty();
    assertThat(reason(d)).isEqualTo("JobLost");
    assertThat(d.status().message()).contains("was deleted before it finished");
    assertThat(d.requeueAfter()).as("to let go of it once that is recorded").isPresent();
  }

  @Test
  void aJobOfTheSameNameOwnedBySomeoneElseIsAConflict() {
    StateSnapshot s = snapshot(null);
    StateSnapshot other = snapshot(null);
    other.getMetadata().setUid("uid-2");
    RunDecision<StateSnapshotStatus> d =
        decide(
            s,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(other, null, null)),
            Optional.empty(),
            Optional.empty());
    assertThat(reason(d)).isEqualTo("JobConflict");
    assertThat(d.createdJob()).isEmpty();
  }

  @Test
  void finishedSnapshotsNeverChange() {
    StateSnapshotStatus done =
        new StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "ns/data/",
            "snap-backup",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            "done");
    RunDecision<StateSnapshotStatus> d =
        decide(
            snapshot(done),
            Optional.of(store("True", "Reachable", "ok")),
            Optional.of(pvc("Bound")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.status()).isSameAs(done);
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.events()).isEmpty();
    assertThat(d.release()).isEmpty();
  }

  @Test
  void aFinishedJobIsReleasedOnlyOnceTheRecordedStatusIsFinal() {
    StateSnapshotStatus done =
        new StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "ns/data/",
            "snap-backup",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            "done");
    StateSnapshot s = snapshot(done);
    Job complete = job(s, "Complete", null);
    assertThat(
            decide(
                    s,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(complete),
                    Optional.empty(),
                    Optional.empty())
                .release())
        .contains(complete);

    // Not while the result is only being decided: the status is not written yet.
    StateSnapshot running =
        snapshot(
            new StateSnapshotStatus(
                SnapshotPhase.Running,
                "ns/data/",
                "snap-backup",
                NOW.toString(),
                null,
                null,
                null,
                null,
                null,
                null,
                1L,
                "running"));
    RunnerOutcome<BackupReport> ok =
        RunnerOutcome.parse(
            0,
            "{\"snapshotId\":\"id\",\"files\":1,\"totalBytes\":1,\"uploadedBytes\":1}",
            BackupReport.class);
    RunDecision<StateSnapshotStatus> finishing =
        decide(
            running,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(running, "Complete", null)),
            Optional.of(ok),
            Optional.empty());
    assertThat(finishing.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(finishing.release()).isEmpty();
    assertThat(finishing.requeueAfter())
        .as("a look after the status is stored releases the Job")
        .isPresent();

    // An operator restarted after creating the Job, before it recorded Running, still names the Job
    // that ran it.
    StateSnapshot unrecorded = snapshot(null);
    RunDecision<StateSnapshotStatus> adopted =
        decide(
            unrecorded,
            Optional.empty(),
            Optional.empty(),
            Optional.of(job(unrecorded, "Complete", null)),
            Optional.of(ok),
            Optional.empty());
    assertThat(adopted.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(adopted.status().jobName()).isEqualTo("snap-backup");

    // Never the Job of a failed run (its pod keeps the runner's log until the TTL), a Job still
    // running, nor one of
    // someone else's.
    StateSnapshot failed =
        snapshot(
            new StateSnapshotStatus(
                SnapshotPhase.Failed,
                "ns/data/",
                "snap-backup",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                1L,
                "failed"));
    assertThat(
            decide(
                    failed,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(job(failed, "Failed", "BackoffLimitExceeded")),
                    Optional.empty(),
                    Optional.empty())
                .release())
        .isEmpty();
    assertThat(
            decide(
                    s,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(job(s, null, null)),
                    Optional.empty(),
                    Optional.empty())
                .release())
        .isEmpty();
    StateSnapshot other = snapshot(null);
    other.getMetadata().setUid("uid-2");
    assertThat(
            decide(
                    s,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(job(other, "Complete", null)),
                    Optional.empty(),
                    Optional.empty())
                .release())
        .isEmpty();
  }
}
