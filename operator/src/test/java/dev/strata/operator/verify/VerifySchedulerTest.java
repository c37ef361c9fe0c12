package dev.strata.operator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.VerificationSpec;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.engine.report.VerifyReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.runner.JobEnds;
import dev.strata.operator.runner.PeriodicRun;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a store is verified, what the status says afterwards, and whether it is Healthy. */
class VerifySchedulerTest {

  static final Instant CREATED = Instant.parse("2026-11-25T12:00:00Z");
  static final Instant NOW = Instant.parse("2026-11-29T05:00:00Z");
  final VerifyScheduler scheduler =
      new VerifyScheduler(new VerifyJobBuilder(OperatorSettings.defaults()));

  static SnapshotStore store(VerificationSpec v, VerificationStatus last) {
    SnapshotStore st = new SnapshotStore();
    st.setMetadata(
        new ObjectMetaBuilder()
            .withName("minio")
            .withNamespace("ns")
            .withUid("uid")
            .withGeneration(1L)
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
            null,
            null,
            null,
            null,
            null,
            null,
            v));
    st.setStatus(new SnapshotStoreStatus(null, 1L, null, null, null, last));
    return st;
  }

  static Job finished(String name, String condition, String at) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .endMetadata()
        .withNewStatus()
        .withConditions(
            new JobConditionBuilder()
                .withType(condition)
                .withStatus("True")
                .withLastTransitionTime(at)
                .build())
        .endStatus()
        .build();
  }

  static final VerificationSpec WEEKLY =
      new VerificationSpec("0 4 * * 0", null, true, 16, null, null);

  @Test
  void aVerificationStartsAtItsScheduleWithTheOptionsItAsksForAndNeverTwiceAtOnce() {
    // Sunday 2026-11-29 04:00 UTC is due.
    Job job =
        scheduler.plan(store(WEEKLY, null), true, List.of(), Map.of(), NOW).create().orElseThrow();
    assertThat(job.getMetadata().getName()).isEqualTo("minio-verify-20261129-0400");
    assertThat(job.getMetadata().getAnnotations()).containsEntry("strata.dev/reason", "schedule");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("strata.dev/operation", "verify")
        .containsEntry("strata.dev/snapshotstore", "minio");
    assertThat(job.getSpec().getBackoffLimit()).as("never run twice: it reads every blob").isZero();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsSubsequence(
            "verify",
            "--store",
            "s3://b",
            "--all",
            "--read-data",
            "--repair",
            "--parallelism",
            "16",
            "--result-file");
    assertThat(
            scheduler
                .plan(
                    store(WEEKLY, null),
                    true,
                    List.of(),
                    Map.of(),
                    Instant.parse("2026-11-29T03:59:00Z"))
                .create())
        .isEmpty();
    assertThat(scheduler.plan(store(WEEKLY, null), false, List.of(), Map.of(), NOW).create())
        .as("store not ready")
        .isEmpty();
    Job running =
        new JobBuilder().withNewMetadata().withName("minio-verify-x").endMetadata().build();
    assertThat(scheduler.plan(store(WEEKLY, null), true, List.of(running), Map.of(), NOW).create())
        .isEmpty();
    assertThat(scheduler.plan(store(null, null), true, List.of(), Map.of(), NOW).create())
        .as("not configured")
        .isEmpty();
    VerificationSpec noData = new VerificationSpec("0 4 * * 0", false, false, null, null, null);
    assertThat(
            scheduler
                .plan(store(noData, null), true, List.of(), Map.of(), NOW)
                .create()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .doesNotContain("--read-data", "--repair");
  }

  @Test
  void aVerificationThatFoundDamageSucceededAndMakesTheStoreUnhealthyWithTheCount() {
    Job job = finished("minio-verify-20261129-0400", "Failed", "2026-11-29T04:30:00Z");
    RunnerOutcome<VerifyReport> out =
        RunnerOutcome.parse(
            1,
            "{\"snapshots\":12,\"damagedSnapshots\":2,\"damaged\":[\"20261126T020000.000Z-aaaaaa\",\"20261127T020000.000Z-bbbbbb\"],"
                + "\"blobsChecked\":40,\"bytesChecked\":1000,\"readData\":true,\"blobsRemoved\":0,\"blobsMarkedDamaged\":1,\"durationMs\":1800000}",
            VerifyReport.class);
    PeriodicRun<VerificationStatus> plan =
        scheduler.plan(
            store(WEEKLY, null), true, List.of(job), Map.of(job.getMetadata().getName(), out), NOW);
    VerificationStatus last = plan.last();
    assertThat(plan.finished()).contains(job);
    assertThat(last.result()).isEqualTo("Succeeded");
    assertThat(last.time()).isEqualTo("2026-11-29T04:30:00Z");
    assertThat(last.damagedSnapshots()).isEqualTo(2);
    assertThat(last.damaged())
        .containsExactly("20261126T020000.000Z-aaaaaa", "20261127T020000.000Z-bbbbbb");
    assertThat(last.message()).startsWith("2 of 12 snapshots are damaged; 1 blobs marked damaged");
    assertThat(plan.create()).as("the next run is a week away").isEmpty();

    Condition healthy =
        Conditions.find(
                VerifyScheduler.healthy(null, store(WEEKLY, last), last, 1L, NOW),
                VerifyScheduler.HEALTHY)
            .orElseThrow();
    assertThat(healthy.getStatus()).isEqualTo("False");
    assertThat(healthy.getReason()).isEqualTo("Damaged");
    assertThat(healthy.getMessage())
        .startsWith(
            "2 damaged snapshots (20261126T020000.000Z-aaaaaa, 20261127T020000.000Z-bbbbbb)");
  }

  @Test
  void aCleanVerificationIsHealthyOneThatCouldNotRunChangesNothingAndNoneYetIsUnknown() {
    VerificationStatus clean =
        VerifyScheduler.toStatus(
            finished("j", "Complete", "2026-11-29T04:30:00Z"),
            RunnerOutcome.parse(
                0,
                "{\"snapshots\":3,\"damagedSnapshots\":0,\"damaged\":[],\"blobsChecked\":4,\"bytesChecked\":9,\"readData\":true,\"durationMs\":10}",
                VerifyReport.class));
    List<Condition> ok = VerifyScheduler.healthy(null, store(WEEKLY, clean), clean, 1L, NOW);
    assertThat(Conditions.find(ok, VerifyScheduler.HEALTHY).orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(Conditions.find(ok, VerifyScheduler.HEALTHY).orElseThrow().getMessage())
        .startsWith("3 snapshots verified, every blob read: no damage");

    VerificationStatus broken =
        VerifyScheduler.toStatus(
            finished("j2", "Failed", "2026-12-06T04:01:00Z"),
            RunnerOutcome.parse(
                1,
                "{\"error\":\"could not reach http://minio:9000\",\"cause\":\"STORE_UNREACHABLE\"}",
                VerifyReport.class));
    assertThat(broken.result()).isEqualTo("Failed");
    assertThat(broken.reason()).isEqualTo("Unreachable");
    assertThat(broken.message()).isEqualTo("could not reach http://minio:9000");
    assertThat(VerifyScheduler.healthy(ok, store(WEEKLY, broken), broken, 1L, NOW)).isEqualTo(ok);

    Condition none =
        Conditions.find(
                VerifyScheduler.healthy(null, store(null, null), null, 1L, NOW),
                VerifyScheduler.HEALTHY)
            .orElseThrow();
    assertThat(none.getStatus()).isEqualTo("Unknown");
    assertThat(none.getMessage()).contains("set spec.verification.schedule");
  }

  @Test
  void aVerificationTheStoreRefusedGetsTheReasonOfItsCauseOneWithoutAResultRunnerFailed() {
    Job job = finished("minio-verify-20261129-0400", "Failed", "2026-11-29T04:00:05Z");
    RunnerOutcome<VerifyReport> denied =
        RunnerOutcome.parse(
            1,
            "{\"error\":\"access denied to s3://b\",\"cause\":\"ACCESS_DENIED\"}",
            VerifyReport.class);
    VerificationStatus last =
        scheduler
            .plan(
                store(WEEKLY, null),
                true,
                List.of(job),
                Map.of(job.getMetadata().getName(), denied),
                NOW)
            .last();
    assertThat(last.result()).isEqualTo("Failed");
    assertThat(last.reason()).isEqualTo("AccessDenied");
    assertThat(last.message()).isEqualTo("access denied to s3://b");

    VerificationStatus none =
        scheduler.plan(store(WEEKLY, null), true, List.of(job), Map.of(), NOW).last();
    assertThat(none.reason()).isEqualTo("RunnerFailed");
    assertThat(none.message()).isEqualTo("the verification left no result");

    VerificationStatus ran =
        VerifyScheduler.toStatus(
            job,
            RunnerOutcome.parse(
                0,
                "{\"snapshots\":3,\"damagedSnapshots\":0,\"damaged\":[],\"blobsChecked\":4,\"bytesChecked\":9,\"readData\":true,\"durationMs\":10}",
                VerifyReport.class));
    assertThat(ran.reason()).as("a verification that ran has no failure reason").isNull();
  }

  @Test
  void aVerificationItsDeadlineStoppedIsDeadlineExceededAndNamesTheFieldToRaise() {
    Job stopped =
        JobEnds.stoppedByDeadline(
            scheduler
                .plan(store(WEEKLY, null), true, List.of(), Map.of(), NOW)
                .create()
                .orElseThrow(),
            "2026-11-29T10:00:00Z");
    VerificationStatus last =
        scheduler
            .plan(
                store(WEEKLY, null),
                true,
                List.of(stopped),
                Map.of(),
                Instant.parse("2026-11-29T10:01:00Z"))
            .last();
    assertThat(last.result()).isEqualTo("Failed");
    assertThat(last.reason()).isEqualTo("DeadlineExceeded");
    assertThat(last.message())
        .isEqualTo(
            "the verification did not finish within spec.verification.activeDeadlineSeconds"
                + " (21600 s): raise it, or spec.verification.parallelism");
  }

  @Test
  void aVerificationJobCarriesTheReasonItIsDueForAsACollectionsDoes() {
    Job job =
        new VerifyJobBuilder(OperatorSettings.defaults())
            .build(store(WEEKLY, null), NOW, "requested");
    assertThat(job.getMetadata().getAnnotations()).containsEntry("strata.dev/reason", "requested");
  }
}
