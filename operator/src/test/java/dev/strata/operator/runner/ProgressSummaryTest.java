package dev.strata.operator.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.TransferProgress;
import org.junit.jupiter.api.Test;

class ProgressSummaryTest {

  private static final long GIB = 1L << 30;

  @Test
  void bytesAndPercentAsPeopleReadThem() {
    TransferProgress p = new TransferProgress(10L, 100L, 1288490189L, 3650722202L, 50_000_000L);
    assertThat(ProgressSummary.of(p, false)).isEqualTo("1.2 GiB / 3.4 GiB (35%)");
  }

  @Test
  void neverHundredPercentBeforeSuccess() {
    TransferProgress allBytes = new TransferProgress(5L, 5L, 2 * GIB, 2 * GIB, 0L);
    assertThat(ProgressSummary.of(allBytes, false)).isEqualTo("2.0 GiB / 2.0 GiB (99%)");
    assertThat(ProgressSummary.of(allBytes, true)).isEqualTo("2.0 GiB / 2.0 GiB (100%)");
  }

  @Test
  void nothingBeforeTheTotalIsKnown() {
    assertThat(ProgressSummary.of(null, false)).isNull();
    assertThat(ProgressSummary.of(new TransferProgress(0L, 0L, 0L, 0L, 0L), false)).isNull();
    assertThat(ProgressSummary.of(new TransferProgress(null, null, null, null, null), false))
        .isNull();
  }

  @Test
  void smallAndEmptyRuns() {
    assertThat(ProgressSummary.of(new TransferProgress(1L, 2L, 512L, 2048L, 0L), false))
        .isEqualTo("512 B / 2.0 KiB (25%)");
    assertThat(ProgressSummary.of(new TransferProgress(0L, 0L, 0L, 0L, 0L), true))
        .isEqualTo("0 B / 0 B (100%)");
  }
}
