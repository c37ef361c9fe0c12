package dev.strata.operator.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.engine.GcReport;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.runner.JobEnds;
import dev.strata.operator.runner.PeriodicRun;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a store's collector starts, and what its status says afterwards. */
class GcSchedulerTest {

  static final Instant CREATED = Instant.parse("2026-11-25T12:00:00Z");
  final GcScheduler scheduler = new GcScheduler(new GcJobBuilder(OperatorSettings.defaults()));

  static SnapshotStore store(GarbageCollectionSpec gc, GarbageCollectionStatus last) {
    SnapshotStore st = new SnapshotStore();
    st.setMetadata(
        new ObjectMetaBuilder()
            .withName("minio")
            .withNamespace("ns")
            .withUid("uid")
            .withCreationTimestamp(CREATED.toString())
            .build());
    st.setSpec(
        new SnapshotStoreSpec(
            "http://minio:9000",
            "b",
            null,
            null,
            true,
            new CredentialsSecretRef("c", null, null),
            null,
            gc,
            null));
    st.setStatus(new SnapshotStoreStatus(null, 1L, null, last));
    return st;
  }

  static Job job(String name, String condition, String at) {
    JobBuilder b =
        new JobBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata();
    if (condition != null) {
      b.withNewStatus()
          .withConditions(
              new JobConditionBuilder()
                  .withType(condition)
                  .withStatus("True")
                  .withLastTransitionTime(at)
                  .build())
          .endStatus();
    }
    return b.build();
  }

  PeriodicRun<GarbageCollectionStatus> plan(
      SnapshotStore store,
      boolean ready,
      List<Job> jobs,
      Map<String, RunnerOutcome<GcReport>> outcomes,
      Optional<Instant> asked,
      String now) {
    return scheduler.plan(store, ready, jobs, outcomes, asked, Instant.parse(now));
  }

  /** A plan for a ready store with the default spec.gc, nothing asked and no runner outcomes. */
  PeriodicRun<GarbageCollectionStatus> planByDefault(List<Job> jobs, String now) {
    return plan(store(null, null), true, jobs, Map.of(), Optional.empty(), now);
  }

  @Test
  void theDefaultScheduleRunsDailyAt0317Utc() {
    assertThat(planByDefault(List.of(), "2026-11-26T03:16:00Z").create()).isEmpty();
    Job job = planByDefault(List.of(), "2026-11-26T03:18:00Z").create().orElseThrow();
    assertThat(job.getMetadata().getName()).isEqualTo("minio-gc-20261126-0317");
    assertThat(job.getMetadata().getAnnotations()).containsEntry("strata.dev/reason", "schedule");
  }

  @Test
  void nothingStartsWhileOneRunsTheStoreIsNotReadyOrCollectionIsSuspended() {
    String due = "2026-11-26T04:00:00Z";
    assertThat(planByDefault(List.of(job("running", null, null)), due).create()).isEmpty();
    assertThat(plan(store(null, null), false, List.of(), Map.of(), Optional.empty(), due).create())
        .isEmpty();
    GarbageCollectionSpec suspended = new GarbageCollectionSpec(null, null, null, null, true);
    assertThat(
            plan(store(suspended, null), true, List.of(), Map.of(), Optional.empty(), due).create())
        .isEmpty();
    GarbageCollectionSpec invalid =
        new GarbageCollectionSpec("every night", null, null, null, null);
    assertThat(
            plan(store(invalid, null), true, List.of(), Map.of(), Optional.empty(), due).create())
        .isEmpty();
  }

  @Test
  void retentionsRequestStartsOneAtOnceButNotBesideARunningOne() {
    Optional<Instant> asked = Optional.of(Instant.parse("2026-11-26T10:05:30Z"));
    Job job =
        plan(store(null, null), true, List.of(), Map.of(), asked, "2026-11-26T10:05:31Z")
            .create()
            .orElseThrow();
    assertThat(job.getMetadata().getName()).isEqualTo("minio-gc-20261126-1005");
    assertThat(job.getMetadata().getAnnotations()).containsEntry("strata.dev/reason", "retention");
    assertThat(
            plan(
                    store(null, null),
                    true,
                    List.of(job("running", null, null)),
                    Map.of(),
                    asked,
                    "2026-11-26T10:05:31Z")
                .create())
        .isEmpty();
  }

  @Test
  void theNewestFinishedCollectorIsReportedOnceWithItsFigures() {
    GarbageCollectionStatus before =
        new GarbageCollectionStatus(
            "2026-11-25T03:17:40Z", "Succeeded", null, 1L, 1L, 0L, 1L, "deleted 1 blobs");
    Job old = job("old", "Complete", "2026-11-25T03:17:40Z");
    Job done = job("done", "Complete", "2026-11-26T03:18:10Z");
    RunnerOutcome<GcReport> ok =
        RunnerOutcome.parse(
            0,
            "{\"blobsDeleted\":12,\"bytesDeleted\":4096,\"tombstonesDeleted\":1,\"durationMs\":2500}",
            GcReport.class);
    PeriodicRun<GarbageCollectionStatus> plan =
        plan(
            store(null, before),
            true,
            List.of(old, done),
            Map.of("done", ok),
            Optional.empty(),
            "2026-11-26T03:19:00Z");
    assertThat(plan.finished()).contains(done);
    assertThat(plan.last())
        .isEqualTo(
            new GarbageCollectionStatus(
                "2026-11-26T03:18:10Z",
                "Succeeded",
                null,
                12L,
                4096L,
                1L,
                2500L,
                "deleted 12 blobs"));

    // Once recorded, the same Job is not reported again.
    PeriodicRun<GarbageCollectionStatus> again =
        plan(
            store(null, plan.last()),
            true,
            List.of(old, done),
            Map.of("done", ok),
            Optional.empty(),
            "2026-11-26T03:20:00Z");
    assertThat(again.finished()).isEmpty();
    assertThat(again.last()).isEqualTo(plan.last());
  }

  @Test
  void aFailedCollectorReportsItsErrorWithTheReasonOfItsCauseAndOneWithoutAResultSaysSo() {
    Job failed = job("failed", "Failed", "2026-11-26T03:18:10Z");
    RunnerOutcome<GcReport> denied =
        RunnerOutcome.parse(
            1, "{\"error\":\"access denied\",\"cause\":\"ACCESS_DENIED\"}", GcReport.class);
    assertThat(
            plan(
                    store(null, null),
                    true,
                    List.of(failed),
                    Map.of("failed", denied),
                    Optional.empty(),
                    "2026-11-26T03:19:00Z")
                .last())
        .isEqualTo(
            GarbageCollectionStatus.failed(
                "2026-11-26T03:18:10Z", "AccessDenied", "access denied"));
    assertThat(planByDefault(List.of(failed), "2026-11-26T03:19:00Z").last())
        .extracting(GarbageCollectionStatus::reason, GarbageCollectionStatus::message)
        .containsExactly("RunnerFailed", "the collector left no result");
  }

  @Test
  void aCollectorItsDeadlineStoppedIsDeadlineExceededAndNamesTheFieldToRaise() {
    Job stopped =
        JobEnds.stoppedByDeadline(
            planByDefault(List.of(), "2026-11-26T03:18:00Z").create().orElseThrow(),
            "2026-11-26T09:17:00Z");
    GarbageCollectionStatus last = planByDefault(List.of(stopped), "2026-11-26T09:18:00Z").last();
    assertThat(last)
        .isEqualTo(
            GarbageCollectionStatus.failed(
                "2026-11-26T09:17:00Z",
                "DeadlineExceeded",
                "the collector did not finish within spec.gc.activeDeadlineSeconds (21600 s):"
                    + " raise it"));
  }

  /** The activeDeadlineSeconds of the collector a store with this spec.gc starts. */
  Long deadlineOf(GarbageCollectionSpec gc) {
    return plan(
            store(gc, null),
            true,
            List.of(),
            Map.of(),
            Optional.of(CREATED),
            "2026-11-26T03:18:00Z")
        .create()
        .orElseThrow()
        .getSpec()
        .getActiveDeadlineSeconds();
  }

  @Test
  void theCollectorsDeadlineIsSpecGcActiveDeadlineSecondsSixHoursUnlessSet() {
    assertThat(deadlineOf(new GarbageCollectionSpec(null, null, null, 43200L, null)))
        .isEqualTo(43200L);
    assertThat(deadlineOf(null)).isEqualTo(21600L);
  }
}
