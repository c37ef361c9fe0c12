package dev.strata.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FinishedRunsTest {

  @Test
  void aRunsEndIsCountedOnceHoweverOftenItIsSeen() {
    FinishedRuns runs = new FinishedRuns();
    assertThat(runs.first("uid-1")).isTrue();
    assertThat(runs.first("uid-1")).as("seen again by a reconcile of a stale read").isFalse();
    assertThat(runs.first("uid-2")).isTrue();
    assertThat(runs.first(null)).isTrue();
    assertThat(runs.first(null)).as("no UID: nothing to match it by").isTrue();
  }

  @Test
  void theOldestAreForgottenFirst() {
    FinishedRuns runs = new FinishedRuns();
    for (int i = 0; i <= FinishedRuns.REMEMBERED; i++) {
      assertThat(runs.first("uid-" + i)).isTrue();
    }
    assertThat(runs.first("uid-" + FinishedRuns.REMEMBERED)).isFalse();
    assertThat(runs.first("uid-0")).as("the oldest, forgotten").isTrue();
  }
}
