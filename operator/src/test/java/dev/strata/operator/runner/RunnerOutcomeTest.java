package dev.strata.operator.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RunError;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunnerOutcomeTest {

  @Test
  void aReportIsASuccess() {
    RunnerOutcome<BackupReport> o =
        RunnerOutcome.parse(0, "{\"snapshotId\":\"x\",\"files\":2}", BackupReport.class);
    assertThat(o.succeeded()).isTrue();
    assertThat(o.report().orElseThrow().files()).isEqualTo(2);
  }

  @Test
  void anErrorKeepsItsMessageAndCause() {
    RunnerOutcome<BackupReport> o =
        RunnerOutcome.parse(
            1,
            "{\"error\":\"bucket 'x' does not exist\",\"cause\":\"BUCKET_MISSING\"}",
            BackupReport.class);
    assertThat(o.succeeded()).isFalse();
    assertThat(o.failure())
        .isEqualTo(new RunError("bucket 'x' does not exist", RunError.Cause.BUCKET_MISSING));
  }

  @Test
  void aReportWithAFailingExitCodeIsNoSuccess() {
    RunnerOutcome<BackupReport> o =
        RunnerOutcome.parse(3, "{\"snapshotId\":\"x\"}", BackupReport.class);
    assertThat(o.succeeded()).isFalse();
    assertThat(o.failure().message()).isEqualTo("the runner exited with code 3");
  }

  @Test
  void logTailFallbackTakesTheLastLine() {
    RunnerOutcome<BackupReport> o =
        RunnerOutcome.parse(
            137,
            "Picked up JAVA_TOOL_OPTIONS\nsome progress\nstrata: out of memory\n",
            BackupReport.class);
    assertThat(o.failure()).isEqualTo(new RunError("out of memory", RunError.Cause.INTERNAL));
    assertThat(RunnerOutcome.parse(137, "", BackupReport.class).failure().message())
        .isEqualTo("the runner exited with code 137");
    assertThat(RunnerOutcome.parse(0, "", BackupReport.class).succeeded()).isFalse();
    assertThat(RunnerOutcome.parse(0, "", BackupReport.class).failure().message())
        .isEqualTo("the runner exited without reporting a result");
    assertThat(RunnerOutcome.parse(1, "{not json at all", BackupReport.class).failure().message())
        .isEqualTo("{not json at all");
  }

  @Test
  void theNewestTerminatedContainerDecides() {
    Pod first = pod("2026-11-26T10:00:00Z", 1, "{\"error\":\"first try\"}");
    Pod second = pod("2026-11-26T10:01:00Z", 0, "{\"snapshotId\":\"y\"}");
    Pod running =
        new PodBuilder()
            .withNewStatus()
            .addNewContainerStatus()
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(
            RunnerOutcome.fromPods(List.of(second, first, running), BackupReport.class)
                .orElseThrow()
                .report()
                .orElseThrow()
                .snapshotId())
        .isEqualTo("y");
    assertThat(RunnerOutcome.fromPods(List.of(running), BackupReport.class)).isEmpty();
  }

  static Pod pod(String finishedAt, int exitCode, String message) {
    return new PodBuilder()
        .withNewStatus()
        .addNewContainerStatus()
        .withNewState()
        .withNewTerminated()
        .withFinishedAt(finishedAt)
        .withExitCode(exitCode)
        .withMessage(message)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
