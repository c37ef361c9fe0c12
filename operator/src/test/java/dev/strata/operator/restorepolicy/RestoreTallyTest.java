package dev.strata.operator.restorepolicy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.PodRestoreResult;
import dev.strata.api.v1alpha1.RestorePolicyStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Restores are counted once per pod, the newest report per source wins, and the list stays bounded.
 */
class RestoreTallyTest {

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  static PodRestoreReport report(String source, String uid, int second, PodRestoreResult result) {
    return new PodRestoreReport(
        source,
        "pod-" + uid,
        uid,
        T0.plusSeconds(second),
        result,
        result == PodRestoreResult.Restored ? "snap-" + second : null,
        3,
        10,
        90,
        result == PodRestoreResult.Failed ? "boom" : null);
  }

  static RestorePolicyStatus status(RestoreTally.Update u) {
    return new RestorePolicyStatus(u.sources(), u.restoresDone(), null, 1L);
  }

  @Test
  void aPodSeenAgainIsNotCountedAgainNorAnnouncedAgain() {
    var first =
        RestoreTally.apply(null, List.of(report("ns/a/", "u1", 1, PodRestoreResult.Restored)));
    assertThat(first.restoresDone()).isEqualTo(1);
    assertThat(first.fresh()).hasSize(1);
    var again =
        RestoreTally.apply(
            status(first), List.of(report("ns/a/", "u1", 1, PodRestoreResult.Restored)));
    assertThat(again.restoresDone()).isEqualTo(1);
    assertThat(again.fresh()).isEmpty();
    assertThat(again.sources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.snapshotId()).isEqualTo("snap-1");
              assertThat(s.downloadedBytes()).isEqualTo(10);
              assertThat(s.pod()).isEqualTo("pod-u1");
            });
  }

  @Test
  void aFailureThatRepeatsIsAnnouncedOnceAndASuccessAfterItCountsOnce() {
    var failed =
        RestoreTally.apply(null, List.of(report("ns/a/", "u1", 1, PodRestoreResult.Failed)));
    assertThat(failed.restoresDone()).isZero();
    assertThat(failed.fresh()).hasSize(1);
    var retried =
        RestoreTally.apply(
            status(failed), List.of(report("ns/a/", "u1", 9, PodRestoreResult.Failed)));
    assertThat(retried.fresh()).isEmpty();
    var succeeded =
        RestoreTally.apply(
            status(retried), List.of(report("ns/a/", "u1", 20, PodRestoreResult.Restored)));
    assertThat(succeeded.restoresDone()).isEqualTo(1);
    assertThat(succeeded.sources().get(0).result()).isEqualTo(PodRestoreResult.Restored);
  }

  @Test
  void aNewPodOfTheSameSourceReplacesTheEntryAndAnOlderPodDoesNot() {
    var first =
        RestoreTally.apply(null, List.of(report("ns/a/", "u1", 5, PodRestoreResult.Restored)));
    var newer =
        RestoreTally.apply(
            status(first), List.of(report("ns/a/", "u2", 50, PodRestoreResult.FreshStart)));
    assertThat(newer.restoresDone()).isEqualTo(2);
    assertThat(newer.sources())
        .singleElement()
        .satisfies(s -> assertThat(s.podUid()).isEqualTo("u2"));
    var stale =
        RestoreTally.apply(
            status(newer), List.of(report("ns/a/", "u0", 2, PodRestoreResult.Restored)));
    assertThat(stale.restoresDone()).isEqualTo(2);
    assertThat(stale.sources().get(0).podUid()).isEqualTo("u2");
  }

  @Test
  void onlyTheNewestFiftySourcesAreKeptNewestFirst() {
    List<PodRestoreReport> reports = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      reports.add(report("ns/pvc-" + i + "/", "u" + i, i, PodRestoreResult.Restored));
    }
    var u = RestoreTally.apply(null, reports);
    assertThat(u.restoresDone()).isEqualTo(60);
    assertThat(u.sources()).hasSize(RestoreTally.MAX_SOURCES);
    assertThat(u.sources().get(0).sourceId()).isEqualTo("ns/pvc-59/");
    assertThat(u.sources().get(49).sourceId()).isEqualTo("ns/pvc-10/");
  }
}
