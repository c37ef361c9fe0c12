package dev.strata.operator.restore;

import static dev.strata.operator.restore.RestoreDeciderTest.snap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Labels;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which snapshot a StateRestore's source means. */
class RestoreResolverTest {

  static RestoreResolver.Resolution resolve(RestoreSource source, List<StateSnapshot> snapshots) {
    return RestoreResolver.resolve(RestoreDeciderTest.restore(source, new RestoreTarget("t", null, null), null), snapshots);
  }

  static StateSnapshot scheduled(StateSnapshot s, String schedule, String at) {
    s.getMetadata().setLabels(new HashMap<>(java.util.Map.of(Labels.SCHEDULE, schedule)));
    s.getMetadata().setAnnotations(new HashMap<>(java.util.Map.of(Labels.SCHEDULED_TIME, at)));
    return s;
  }

  @Test
  void aNamedSnapshotMustExistAndHaveSucceeded() {
    List<StateSnapshot> snaps = List.of(
        snap("done", "data", "id-done", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded),
        snap("busy", "data", null, "2026-11-26T01:00:00Z", SnapshotPhase.Running),
        snap("broken", "data", null, "2026-11-26T02:00:00Z", SnapshotPhase.Failed));
    assertThat(resolve(new RestoreSource("done", null, null, null), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Resolved.class, r -> assertThat(r.snapshot().id()).isEqualTo("id-done"));
    assertThat(resolve(new RestoreSource("busy", null, null, null), snaps))
        .isInstanceOfSatisfying(RestoreResolver.NotYet.class, r -> assertThat(r.reason()).isEqualTo("SnapshotNotReady"));
    assertThat(resolve(new RestoreSource("broken", null, null, null), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Impossible.class, r -> assertThat(r.reason()).isEqualTo("SnapshotFailed"));
    assertThat(resolve(new RestoreSource("gone", null, null, null), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Impossible.class, r -> {
          assertThat(r.reason()).isEqualTo("SnapshotNotFound");
          assertThat(r.message()).isEqualTo("StateSnapshot gone does not exist in namespace ns");
        });
  }

  @Test
  void latestOfASourceComparesWholeIdentitiesSoData1IsNotData() {
    List<StateSnapshot> snaps = List.of(
        snap("data-old", "data", "id-1", "2026-11-25T00:00:00Z", SnapshotPhase.Succeeded),
        snap("data-new", "data", "id-2", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded),
        snap("data1-newest", "data1", "id-3", "2026-11-27T00:00:00Z", SnapshotPhase.Succeeded),
        snap("data-failed", "data", null, "2026-11-28T00:00:00Z", SnapshotPhase.Failed));
    assertThat(resolve(new RestoreSource(null, null, new SnapshotSource("data", null), null), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Resolved.class, r -> assertThat(r.snapshot().snapshotName()).isEqualTo("data-new"));
    assertThat(resolve(new RestoreSource(null, null, new SnapshotSource("data", null), "2026-11-25T12:00:00Z"), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Resolved.class, r -> assertThat(r.snapshot().snapshotName()).isEqualTo("data-old"));
    assertThat(resolve(new RestoreSource(null, null, new SnapshotSource("data", null), "2026-11-24T00:00:00Z"), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Impossible.class, r -> {
          assertThat(r.reason()).isEqualTo("NoSnapshot");
          assertThat(r.message()).contains("taken at or before 2026-11-24T00:00:00Z");
        });
  }

  @Test
  void latestOfAScheduleCountsByScheduledTime() {
    List<StateSnapshot> snaps = List.of(
        scheduled(snap("nightly-a", "data", "id-a", "2026-11-27T00:00:00Z", SnapshotPhase.Succeeded), "nightly", "2026-11-25T03:00:00Z"),
        scheduled(snap("nightly-b", "data", "id-b", "2026-11-26T00:00:00Z", SnapshotPhase.Succeeded), "nightly", "2026-11-26T03:00:00Z"),
        scheduled(snap("hourly-c", "data", "id-c", "2026-11-28T00:00:00Z", SnapshotPhase.Succeeded), "hourly", "2026-11-28T03:00:00Z"));
    // Created later, but scheduled earlier: the scheduled time decides.
    assertThat(resolve(new RestoreSource(null, "nightly", null, null), snaps))
        .isInstanceOfSatisfying(RestoreResolver.Resolved.class, r -> {
          assertThat(r.snapshot().snapshotName()).isEqualTo("nightly-b");
          assertThat(r.snapshot().takenAt()).isEqualTo("2026-11-26T03:00:00Z");
        });
    assertThat(resolve(new RestoreSource(null, "weekly", null, null), snaps)).isInstanceOf(RestoreResolver.Impossible.class);
  }
}
