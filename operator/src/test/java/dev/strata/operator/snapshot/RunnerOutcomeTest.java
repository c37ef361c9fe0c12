package dev.strata.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunnerOutcomeTest {

  @Test
  void jsonResultIsASuccess() {
    RunnerOutcome o = RunnerOutcome.parse(0, "{\"snapshotId\":\"x\",\"files\":2}");
    assertThat(o.succeeded()).isTrue();
    assertThat(o.number("files")).isEqualTo(2);
  }

  @Test
  void jsonErrorIsTheMessage() {
    RunnerOutcome o = RunnerOutcome.parse(1, "{\"error\":\"bucket 'x' does not exist\"}");
    assertThat(o.succeeded()).isFalse();
    assertThat(o.error()).isEqualTo("bucket 'x' does not exist");
  }

  @Test
  void logTailFallbackTakesTheLastLine() {
    RunnerOutcome o = RunnerOutcome.parse(137, "Picked up JAVA_TOOL_OPTIONS\nsome progress\nstrata: out of memory\n");
    assertThat(o.error()).isEqualTo("out of memory");
    assertThat(RunnerOutcome.parse(137, "").error()).isEqualTo("the runner exited with code 137");
    assertThat(RunnerOutcome.parse(0, "").succeeded()).isFalse();
  }
}
