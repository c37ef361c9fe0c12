package dev.strata.operator.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusyClaimsTest {

  static Job job(String name, String operation, String claim, String condition) {
    JobBuilder b =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("strata.dev/operation", operation)
            .addNewOwnerReference()
            .withKind(operation.equals("restore") ? "StateRestore" : "StateSnapshot")
            .withName(name + "-owner")
            .withUid("uid-" + name)
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addNewVolume()
            .withName("v")
            .withNewPersistentVolumeClaim()
            .withClaimName(claim)
            .endPersistentVolumeClaim()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec();
    if (condition != null) {
      b.withNewStatus()
          .addNewCondition()
          .withType(condition)
          .withStatus("True")
          .endCondition()
          .endStatus();
    }
    return b.build();
  }

  @Test
  void aRunnerThatHasNotEndedAndMountsTheClaimMakesItBusy() {
    List<Job> jobs =
        List.of(
            job("b-backup", "backup", "data", null),
            job("a-restore", "restore", "data", null),
            job("other", "restore", "elsewhere", null));
    assertThat(BusyClaims.runnerUsing(jobs, "data", "mine-restore"))
        .map(BusyClaims::describe)
        .contains("restore Job a-restore of StateRestore a-restore-owner");
    assertThat(BusyClaims.runnerUsing(jobs, "nothing", "mine-restore")).isEmpty();
  }

  @Test
  void endedRunnersAndTheRunsOwnJobDoNotCount() {
    List<Job> jobs =
        List.of(
            job("done", "restore", "data", "Complete"),
            job("failed", "backup", "data", "Failed"),
            job("mine-restore", "restore", "data", null));
    assertThat(BusyClaims.runnerUsing(jobs, "data", "mine-restore")).isEmpty();
  }
}
