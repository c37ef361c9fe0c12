package dev.strata.operator.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.ClaimTemplate;
import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotIndexSummary;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.SourceVolume;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreSpec;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.Conditions;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunObservation;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RestoreDeciderTest {

  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  static final String CLUSTER = "c1";

  /** Snapshots of data-a go elsewhere only when the restore says so. */
  static final SourceVolume INSTEAD_OF_A = new SourceVolume(null, "data-a");

  final RestoreDecider decider =
      new RestoreDecider(
          new RestoreJobBuilder(OperatorSettings.defaults().withClusterId(CLUSTER)),
          Duration.ofSeconds(3),
          CLUSTER);

  static StateSnapshot snap(
      String name, String pvc, String id, String created, SnapshotPhase phase) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ns")
            .withCreationTimestamp(created)
            .build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, null),
            new LocalObjectRef("minio"),
            null,
            null,
            null,
            null,
            null));
    s.setStatus(
        new StateSnapshotStatus(
            phase,
            "ns/" + pvc + "/",
            null,
            null,
            null,
            null,
            phase == SnapshotPhase.Succeeded
                ? new SnapshotIndexSummary(id, "k", null, 1L, 1L, 5L << 30, 1L, 1L)
                : null,
            null,
            null,
            null,
            1L,
            null));
    return s;
  }

  static StateRestore restore(
      RestoreSource source, RestoreTarget target, StateRestoreStatus status) {
    StateRestore r = new StateRestore();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName("r")
            .withNamespace("ns")
            .withUid("r-uid")
            .withGeneration(1L)
            .build());
    r.setSpec(
        new StateRestoreSpec(source, null, target, RestoreMode.Sync, true, 4, false, null, null));
    r.setStatus(status);
    return r;
  }

  static SnapshotStore readyStore() {
    SnapshotStore st = new SnapshotStore();
    st.setMetadata(new ObjectMetaBuilder().withName("minio").withNamespace("ns").build());
    st.setSpec(
        new SnapshotStoreSpec(
            "http://minio:9000",
            "b",
            null,
            null,
            true,
            new CredentialsSecretRef("c", null, null),
            null,
            null,
            null));
    st.setStatus(
        new SnapshotStoreStatus(
            Conditions.set(null, Conditions.READY, Conditions.TRUE, "Reachable", "ok", 1L, NOW),
            1L,
            null,
            null));
    return st;
  }

  static PersistentVolumeClaim bound(String name) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withPhase("Bound")
        .endStatus()
        .build();
  }

  static final List<StateSnapshot> SNAPS =
      List.of(
          snap(
              "a-old",
              "data-a",
              "20261125T000000.000Z-aaaaaa",
              "2026-11-25T00:00:00Z",
              SnapshotPhase.Succeeded),
          snap(
              "a-new",
              "data-a",
              "20261126T000000.000Z-bbbbbb",
              "2026-11-26T00:00:00Z",
              SnapshotPhase.Succeeded),
          snap(
              "b-newest",
              "data-b",
              "20261126T100000.000Z-cccccc",
              "2026-11-26T10:00:00Z",
              SnapshotPhase.Succeeded),
          snap("a-failed", "data-a", null, "2026-11-26T11:00:00Z", SnapshotPhase.Failed));

  RunDecision<StateRestoreStatus> decide(
      StateRestore r,
      List<StateSnapshot> snaps,
      Optional<PersistentVolumeClaim> pvc,
      Optional<String> user,
      Optional<Job> job,
      Optional<RunnerOutcome<RestoreReport>> out) {
    return decider.decide(
        new RestoreObservation(
            r,
            new RunObservation<>(r, job, out, Optional.empty(), NOW),
            snaps,
            Optional.of(readyStore()),
            pvc,
            user.map(ClaimUser::onNode)));
  }

  static Optional<PersistentVolumeClaim> createdPvc(RunDecision<StateRestoreStatus> d) {
    return d.create().stream()
        .filter(PersistentVolumeClaim.class::isInstance)
        .map(PersistentVolumeClaim.class::cast)
        .findFirst();
  }

  @Test
  void latestOfAPvcIsItsOwnNewestSuccessNeverAnotherVolumes() {
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource(null, null, new SnapshotSource("data-a", null), null),
                new RestoreTarget("target", null, null, INSTEAD_OF_A),
                null),
            SNAPS,
            Optional.of(bound("target")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.status().resolvedSnapshot().snapshotName()).isEqualTo("a-new");
    assertThat(d.createdJob()).isPresent();
    assertThat(
            d.createdJob().get().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--snapshot", "20261126T000000.000Z-bbbbbb", "--mode", "sync", "--full-check");
  }

  @Test
  void asOfPicksTheNewestAtOrBeforeThatTime() {
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource(
                    null, null, new SnapshotSource("data-a", null), "2026-11-25T12:00:00Z"),
                new RestoreTarget("target", null, null, INSTEAD_OF_A),
                null),
            SNAPS,
            Optional.of(bound("target")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.status().resolvedSnapshot().snapshotName()).isEqualTo("a-old");
  }

  @Test
  void thePinnedSnapshotNeverChangesEvenWhenANewerOneAppears() {
    ResolvedSnapshot pinned =
        new ResolvedSnapshot(
            "a-old",
            "20261125T000000.000Z-aaaaaa",
            "ns/data-a/",
            "minio",
            1L,
            "2026-11-25T00:00:00Z");
    StateRestoreStatus pending =
        new StateRestoreStatus(
            SnapshotPhase.Pending,
            pinned,
            "target",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            null);
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource(null, null, new SnapshotSource("data-a", null), null),
                new RestoreTarget("target", null, null),
                pending),
            SNAPS,
            Optional.of(bound("target")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.status().resolvedSnapshot()).isEqualTo(pinned);
    assertThat(
            d.createdJob().get().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("20261125T000000.000Z-aaaaaa");
  }

  @Test
  void noSnapshotOrAFailedOneFailsWithAClearReason() {
    RunDecision<StateRestoreStatus> none =
        decide(
            restore(
                new RestoreSource(null, null, new SnapshotSource("data-z", null), null),
                new RestoreTarget("t", null, null),
                null),
            SNAPS,
            Optional.of(bound("t")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(none.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(none.status().message()).contains("source c1:ns/data-z/ has no successful snapshot");
    RunDecision<StateRestoreStatus> failed =
        decide(
            restore(
                new RestoreSource("a-failed", null, null, null),
                new RestoreTarget("t", null, null),
                null),
            SNAPS,
            Optional.of(bound("t")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(Conditions.find(failed.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("SnapshotFailed");
  }

  @Test
  void aTargetInUseIsRefusedUnlessAllowed() {
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource("a-new", null, null, null),
                new RestoreTarget("data-a", null, null),
                null),
            SNAPS,
            Optional.of(bound("data-a")),
            Optional.of("node-a"),
            Optional.empty(),
            Optional.empty());
    assertThat(d.createdJob()).isEmpty();
    assertThat(Conditions.find(d.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("TargetInUse");
    assertThat(d.status().message()).contains("set spec.allowTargetInUse: true");
  }

  @Test
  void aTargetAnotherRunnerUsesWaitsWithoutAJob() {
    StateRestore r =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("data-a", null, null),
            null);
    RunDecision<StateRestoreStatus> d =
        decideOn(
            r,
            bound("data-a"),
            false,
            () -> Optional.of("restore Job other-restore of StateRestore other"));
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(Conditions.find(d.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("TargetBusy");
    assertThat(d.status().message())
        .isEqualTo(
            "PersistentVolumeClaim data-a is in use by Strata's restore Job other-restore of"
                + " StateRestore other: this restore starts once that run has ended");
    assertThat(d.requeueAfter()).isPresent();
  }

  @Test
  void onlyARestoreAboutToStartAsksWhetherItsTargetIsBusy() {
    // The question lists Jobs from the API server: a restore that waits for something else (here
    // its target's binding) must not ask it at every look.
    StateRestore r =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("data-a", null, null),
            null);
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    Supplier<Optional<String>> busy =
        () -> {
          asked.incrementAndGet();
          return Optional.empty();
        };
    PersistentVolumeClaim unbound = bound("data-a");
    unbound.getStatus().setPhase("Pending");
    RunDecision<StateRestoreStatus> waiting = decideOn(r, unbound, false, busy);
    assertThat(Conditions.find(waiting.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("TargetNotBound");
    assertThat(asked).as("asked while waiting for the binding").hasValue(0);
    assertThat(decideOn(r, bound("data-a"), false, busy).createdJob()).isPresent();
    assertThat(asked).hasValue(1);
  }

  @Test
  void aClaimTemplateIsCreatedSizedForTheSnapshot() {
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource("a-new", null, null, null),
                new RestoreTarget(
                    null, new ClaimTemplate("fresh", "fast", null, null), null, INSTEAD_OF_A),
                null),
            SNAPS,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    PersistentVolumeClaim pvc = createdPvc(d).orElseThrow();
    assertThat(pvc.getMetadata().getName()).isEqualTo("fresh");
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("fast");
    // 5 GiB + 10% = 5632 MiB, plus one.
    assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("5633Mi");
    assertThat(d.createdJob()).isEmpty();
  }

  static PersistentVolumeClaim pending(String name, String storageClass) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withStorageClassName(storageClass)
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
  }

  RunDecision<StateRestoreStatus> decideOnPending(boolean bindsOnFirstConsumer) {
    StateRestore r =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget(
                null, new ClaimTemplate("fresh", "standard", null, null), null, INSTEAD_OF_A),
            null);
    return decideOn(r, pending("fresh", "standard"), bindsOnFirstConsumer, Optional::empty);
  }

  /** A restore not started yet, its target as given, no pod using it. */
  RunDecision<StateRestoreStatus> decideOn(
      StateRestore r,
      PersistentVolumeClaim target,
      boolean bindsOnFirstConsumer,
      Supplier<Optional<String>> busy) {
    return decider.decide(
        new RestoreObservation(
            r,
            new RunObservation<>(r, Optional.empty(), Optional.empty(), Optional.empty(), NOW),
            SNAPS,
            Optional.of(readyStore()),
            Optional.of(target),
            Optional.empty(),
            Optional.empty(),
            bindsOnFirstConsumer,
            busy));
  }

  @Test
  void aPendingTargetWhoseClassBindsOnFirstConsumerGetsItsRunnerWhichBindsIt() {
    // kind's "standard", EKS gp2/gp3: the claim made from the template stays Pending until a pod
    // uses it.
    RunDecision<StateRestoreStatus> d = decideOnPending(true);
    assertThat(d.createdJob()).as("the runner's pod is the claim's first consumer").isPresent();
    assertThat(d.createdJob().get().getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("fresh"));
    assertThat(d.status().message())
        .contains("into fresh with Job")
        .contains("binds on first consumer: the runner's pod binds it");
  }

  @Test
  void aPendingTargetWhoseClassBindsImmediatelyWaitsForBound() {
    RunDecision<StateRestoreStatus> d = decideOnPending(false);
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(Conditions.find(d.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("TargetNotBound");
    assertThat(d.status().message()).isEqualTo("PersistentVolumeClaim fresh is not Bound yet");
  }

  @Test
  void aLostTargetNeverGetsARunnerWhateverItsClass() {
    StateRestore r =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("fresh", null, null, INSTEAD_OF_A),
            null);
    PersistentVolumeClaim lost =
        new PersistentVolumeClaimBuilder(pending("fresh", "standard"))
            .editStatus()
            .withPhase("Lost")
            .endStatus()
            .build();
    RunDecision<StateRestoreStatus> d = decideOn(r, lost, true, Optional::empty);
    assertThat(d.createdJob()).isEmpty();
    assertThat(d.status().message())
        .isEqualTo("PersistentVolumeClaim fresh is not Bound yet (phase Lost)");
  }

  @Test
  void aNonEmptyTargetRefusedByTheRunnerIsNamedSo() {
    ResolvedSnapshot pinned = new ResolvedSnapshot("a-new", "id", "ns/data-a/", "minio", 1L, null);
    StateRestoreStatus running =
        new StateRestoreStatus(
            SnapshotPhase.Running,
            pinned,
            "t",
            "r-restore",
            NOW.toString(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            null);
    StateRestore r =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("t", null, null),
            running);
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("r-restore")
            .addNewOwnerReference()
            .withUid("r-uid")
            .endOwnerReference()
            .endMetadata()
            .withNewStatus()
            .withConditions(
                new JobConditionBuilder()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason("BackoffLimitExceeded")
                    .build())
            .endStatus()
            .build();
    RunnerOutcome<RestoreReport> out =
        RunnerOutcome.parse(
            1,
            "{\"error\":\"the restore target /strata/target is not empty (it holds 3 entries, e.g. 'a'):"
                + " restore into an empty directory, or choose --mode overwrite or --mode sync\",\"cause\":\"NOT_EMPTY\"}",
            RestoreReport.class);
    RunDecision<StateRestoreStatus> d =
        decide(
            r, List.of(), Optional.empty(), Optional.empty(), Optional.of(job), Optional.of(out));
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(Conditions.find(d.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("TargetNotEmpty");
    assertThat(d.status().conditions())
        .as("a failed restore is never retried: kstatus Stalled")
        .extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactly("Ready=False", "Reconciling=False", "Stalled=True");
    assertThat(d.status().resolvedSnapshot()).isEqualTo(pinned);
    assertThat(d.release()).as("the failure is not recorded yet").isEmpty();
    assertThat(d.requeueAfter())
        .as("a look after the status is stored releases the Job")
        .isPresent();

    // A failed run's Job stays, for its log, once the final status is stored too.
    StateRestore recorded =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("t", null, null),
            d.status());
    assertThat(
            decide(
                    recorded,
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(job),
                    Optional.of(out))
                .release())
        .isEmpty();

    // A succeeded one's Job (and its pod, which names the target PVC) goes once the API server
    // holds the final status.
    StateRestoreStatus succeeded =
        new StateRestoreStatus(
            SnapshotPhase.Succeeded,
            pinned,
            "t",
            "r-restore",
            NOW.toString(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            null);
    Job complete =
        new JobBuilder()
            .withNewMetadata()
            .withName("r-restore")
            .addNewOwnerReference()
            .withUid("r-uid")
            .endOwnerReference()
            .endMetadata()
            .withNewStatus()
            .withConditions(
                new JobConditionBuilder().withType("Complete").withStatus("True").build())
            .endStatus()
            .build();
    StateRestore done =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("t", null, null),
            succeeded);
    assertThat(
            decide(
                    done,
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(complete),
                    Optional.empty())
                .release())
        .contains(complete);
  }

  @Test
  void aCorruptBlobAndAMissingSnapshotAreNamedByTheirCause() {
    ResolvedSnapshot pinned = new ResolvedSnapshot("a-new", "id", "ns/data-a/", "minio", 1L, null);
    StateRestoreStatus running =
        new StateRestoreStatus(
            SnapshotPhase.Running,
            pinned,
            "t",
            "r-restore",
            NOW.toString(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            null);
    StateRestore r =
        restore(
            new RestoreSource("a-new", null, null, null),
            new RestoreTarget("t", null, null),
            running);
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("r-restore")
            .addNewOwnerReference()
            .withUid("r-uid")
            .endOwnerReference()
            .endMetadata()
            .withNewStatus()
            .withConditions(
                new JobConditionBuilder()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason("BackoffLimitExceeded")
                    .build())
            .endStatus()
            .build();
    for (String[] c :
        new String[][] {
          {"CORRUPT_DATA", "Corrupt"},
          {"SNAPSHOT_MISSING", "SnapshotNotFound"},
          {"ACCESS_DENIED", "AccessDenied"}
        }) {
      RunnerOutcome<RestoreReport> out =
          RunnerOutcome.parse(
              1, "{\"error\":\"it failed\",\"cause\":\"" + c[0] + "\"}", RestoreReport.class);
      RunDecision<StateRestoreStatus> d =
          decide(
              r, List.of(), Optional.empty(), Optional.empty(), Optional.of(job), Optional.of(out));
      assertThat(Conditions.find(d.status().conditions(), Conditions.READY).get().getReason())
          .isEqualTo(c[1]);
      assertThat(d.status().message()).isEqualTo("the runner failed: it failed");
    }
  }

  @Test
  void restoringIntoAnotherPvcIsRefusedWithWhatToWriteUnlessTheRestoreSaysSo() {
    RunDecision<StateRestoreStatus> other =
        decide(
            restore(
                new RestoreSource("a-new", null, null, null),
                new RestoreTarget("copy", null, null),
                null),
            SNAPS,
            Optional.of(bound("copy")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(other.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(other.createdJob()).isEmpty();
    assertThat(Conditions.find(other.status().conditions(), Conditions.READY).get().getReason())
        .isEqualTo("TargetMismatch");
    assertThat(other.status().message())
        .contains(
            "was taken of PVC data-a in namespace ns, and this restore writes into PVC copy in namespace ns")
        .endsWith("add to spec.target: insteadOf: {namespace: ns, pvcName: data-a}");

    RunDecision<StateRestoreStatus> same =
        decide(
            restore(
                new RestoreSource("a-new", null, null, null),
                new RestoreTarget("data-a", null, null),
                null),
            SNAPS,
            Optional.of(bound("data-a")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(same.createdJob()).as("the PVC it was taken of needs nothing").isPresent();

    RunDecision<StateRestoreStatus> said =
        decide(
            restore(
                new RestoreSource("a-new", null, null, null),
                new RestoreTarget("copy", null, null, new SourceVolume("ns", "data-a")),
                null),
            SNAPS,
            Optional.of(bound("copy")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(said.createdJob()).isPresent();

    RunDecision<StateRestoreStatus> wrong =
        decide(
            restore(
                new RestoreSource("a-new", null, null, null),
                new RestoreTarget("copy", null, null, new SourceVolume(null, "data-b")),
                null),
            SNAPS,
            Optional.of(bound("copy")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(wrong.status().message())
        .startsWith(
            "spec.target.insteadOf names ns/data-b, but snapshot 20261126T000000.000Z-bbbbbb was taken of PVC data-a");
  }

  @Test
  void
      anotherClustersSnapshotGoesIntoTheSameNamespaceAndPvcWithoutAskingButAnotherNamespaceNeedsInsteadOf() {
    StateSnapshot imported =
        snap(
            "imported",
            "data-a",
            "20261126T000000.000Z-dddddd",
            "2026-11-27T00:00:00Z",
            SnapshotPhase.Succeeded);
    imported.setStatus(
        new StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "lost-cluster:ns/data-a/",
            null,
            null,
            null,
            null,
            imported.getStatus().snapshotIndex(),
            null,
            null,
            null,
            1L,
            null));
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource("imported", null, null, null),
                new RestoreTarget("data-a", null, null),
                null),
            List.of(imported),
            Optional.of(bound("data-a")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.createdJob()).isPresent();

    StateSnapshot fromDemo =
        snap(
            "from-demo",
            "data-a",
            "20261126T000000.000Z-eeeeee",
            "2026-11-27T00:00:00Z",
            SnapshotPhase.Succeeded);
    fromDemo.setStatus(
        new StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "lost-cluster:demo/data-a/",
            null,
            null,
            null,
            null,
            fromDemo.getStatus().snapshotIndex(),
            null,
            null,
            null,
            1L,
            null));
    RunDecision<StateRestoreStatus> ns =
        decide(
            restore(
                new RestoreSource("from-demo", null, null, null),
                new RestoreTarget("data-a", null, null),
                null),
            List.of(fromDemo),
            Optional.of(bound("data-a")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(ns.status().message())
        .endsWith("add to spec.target: insteadOf: {namespace: demo, pvcName: data-a}");
    RunDecision<StateRestoreStatus> ok =
        decide(
            restore(
                new RestoreSource("from-demo", null, null, null),
                new RestoreTarget("data-a", null, null, new SourceVolume("demo", "data-a")),
                null),
            List.of(fromDemo),
            Optional.of(bound("data-a")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(ok.createdJob()).isPresent();
  }

  @Test
  void aSnapshotTakenOfNoPvcIsRefusedWithTheCliToUseInstead() {
    StateSnapshot cli =
        snap(
            "cli",
            "data-a",
            "20261126T000000.000Z-ffffff",
            "2026-11-27T00:00:00Z",
            SnapshotPhase.Succeeded);
    cli.setStatus(
        new StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "/var/lib/app",
            null,
            null,
            null,
            null,
            cli.getStatus().snapshotIndex(),
            null,
            null,
            null,
            1L,
            null));
    RunDecision<StateRestoreStatus> d =
        decide(
            restore(
                new RestoreSource("cli", null, null, null),
                new RestoreTarget("data-a", null, null),
                null),
            List.of(cli),
            Optional.of(bound("data-a")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(d.status().message())
        .contains("was not taken of a PVC")
        .contains("strata restore --snapshot 20261126T000000.000Z-ffffff");
  }
}
