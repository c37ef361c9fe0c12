package dev.strata.operator.restorepolicy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.PodRestoreResult;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** What the operator reads back from a mutated pod's restore init container. */
class PodRestoreReportTest {

  static Pod withInit(ContainerStatusBuilder status) {
    return new PodBuilder(Fixtures.pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"))
        .editMetadata()
        .withUid("uid-0")
        .addToAnnotations(RestorePolicyPods.SOURCE, "streams/data-kafka-streams-0/rocksdb")
        .endMetadata()
        .withNewStatus()
        .withInitContainerStatuses(status.withName("strata-restore").build())
        .endStatus()
        .build();
  }

  static ContainerStatusBuilder terminated(int exit, String message) {
    return new ContainerStatusBuilder()
        .withState(
            new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(exit)
                .withMessage(message)
                .withFinishedAt("2026-11-26T10:00:05Z")
                .endTerminated()
                .build());
  }

  @Test
  void aRestoreReportsTheSnapshotAndTheBytes() {
    PodRestoreReport r =
        PodRestoreReport.of(
                withInit(
                    terminated(
                        0,
                        "{\"restored\":true,\"snapshotId\":\"20261126T100001.552Z-51ab2c\",\"files\":41,\"totalBytes\":900,\"downloadedBytes\":0,\"reusedBytes\":900}")))
            .orElseThrow();
    assertThat(r.result()).isEqualTo(PodRestoreResult.Restored);
    assertThat(r.snapshotId()).isEqualTo("20261126T100001.552Z-51ab2c");
    assertThat(r.downloadedBytes()).isZero();
    assertThat(r.reusedBytes()).isEqualTo(900);
    assertThat(r.files()).isEqualTo(41);
    assertThat(r.sourceId()).isEqualTo("streams/data-kafka-streams-0/rocksdb");
    assertThat(r.podUid()).isEqualTo("uid-0");
    assertThat(r.finishedAt()).hasToString("2026-11-26T10:00:05Z");
  }

  @Test
  void noSnapshotYetIsAFreshStart() {
    PodRestoreReport r =
        PodRestoreReport.of(
                withInit(terminated(0, "{\"restored\":false,\"reason\":\"no snapshot of x yet\"}")))
            .orElseThrow();
    assertThat(r.result()).isEqualTo(PodRestoreResult.FreshStart);
    assertThat(r.snapshotId()).isNull();
  }

  @Test
  void anErrorIsAFailureWhetherTheContainerExitedOneOrContinued() {
    assertThat(
            PodRestoreReport.of(
                    withInit(terminated(1, "{\"error\":\"bucket 'x' does not exist\"}")))
                .orElseThrow())
        .satisfies(
            r -> {
              assertThat(r.result()).isEqualTo(PodRestoreResult.Failed);
              assertThat(r.message()).isEqualTo("bucket 'x' does not exist");
            });
    assertThat(
            PodRestoreReport.of(withInit(terminated(0, "{\"error\":\"store unreachable\"}")))
                .orElseThrow()
                .result())
        .isEqualTo(PodRestoreResult.Failed);
  }

  @Test
  void aContainerRetriedAfterAFailureReportsThatFailure() {
    ContainerStatusBuilder crashLoop =
        new ContainerStatusBuilder()
            .withState(
                new ContainerStateBuilder()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .endWaiting()
                    .build())
            .withLastState(
                terminated(1, "{\"error\":\"checksum mismatch in 000042.sst\"}")
                    .build()
                    .getState());
    assertThat(PodRestoreReport.of(withInit(crashLoop)).orElseThrow().message())
        .contains("000042.sst");
  }

  @Test
  void aRunningOrWaitingContainerReportsNothingYet() {
    ContainerStatusBuilder running =
        new ContainerStatusBuilder()
            .withState(
                new ContainerStateBuilder()
                    .withNewRunning()
                    .withStartedAt("2026-11-26T10:00:00Z")
                    .endRunning()
                    .build());
    assertThat(PodRestoreReport.of(withInit(running))).isEmpty();
  }
}
