package dev.strata.operator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retention of a grouped schedule counts groups: whole ones as restore points, partial ones as
 * failed; members go together.
 */
class RetentionUnitsTest {

  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  static final RetentionRules KEEP_LAST_3 =
      new RetentionRules(3, null, null, null, null, null, null, 1, 1, java.time.ZoneOffset.UTC);

  static StateSnapshot snap(
      String name, String pvc, String group, String time, SnapshotPhase phase) {
    Map<String, String> labels =
        new HashMap<>(Map.of(Labels.SCHEDULE, "nightly", Labels.RETENTION_POLICY, "keep"));
    if (group != null) {
      labels.put(Labels.GROUP, group);
      labels.put(Labels.GROUP_SIZE, "3");
    }
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ns")
            .withLabels(labels)
            .withAnnotations(Map.of(Labels.SCHEDULED_TIME, time))
            .build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, "rocksdb"),
            new LocalObjectRef("minio"),
            null,
            null,
            null,
            null,
            null));
    s.setStatus(
        new StateSnapshotStatus(
            phase, null, null, null, null, null, null, null, null, null, 1L, null));
    return s;
  }

  /** Night n's group: three members, the one of replica {@code failing} failed (-1: none). */
  static List<StateSnapshot> night(int n, int failing) {
    List<StateSnapshot> out = new ArrayList<>();
    String group = "nightly-2026112" + n + "-0200";
    for (int r = 0; r < 3; r++) {
      out.add(
          snap(
              group + "-data-" + r,
              "data-" + r,
              group,
              "2026-11-2" + n + "T02:00:00Z",
              r == failing ? SnapshotPhase.Failed : SnapshotPhase.Succeeded));
    }
    return out;
  }

  @Test
  void keepLastThreeKeepsTheThreeNewestWholeGroupsWithAllTheirMembers() {
    List<StateSnapshot> all = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      all.addAll(night(n, -1));
    }
    all.add(snap("manual", "data-0", null, "2026-11-21T03:00:00Z", SnapshotPhase.Succeeded));
    List<RetentionUnits.Unit> units = RetentionUnits.split(all, "ns");
    assertThat(units)
        .extracting(RetentionUnits.Unit::key)
        .containsExactly("groups of nightly", "ns/data-0/rocksdb");
    RetentionUnits.Unit groups = units.get(0);
    assertThat(groups.candidates()).hasSize(5);
    var verdict = RetentionEvaluator.evaluate(groups.candidates(), KEEP_LAST_3, NOW);
    assertThat(verdict.kept())
        .containsOnlyKeys(
            "nightly-20261125-0200", "nightly-20261124-0200", "nightly-20261123-0200");
    assertThat(verdict.expire()).containsExactly("nightly-20261121-0200", "nightly-20261122-0200");
    assertThat(groups.members().get("nightly-20261121-0200"))
        .extracting(s -> s.getMetadata().getName())
        .containsExactly(
            "nightly-20261121-0200-data-0",
            "nightly-20261121-0200-data-1",
            "nightly-20261121-0200-data-2");
  }

  @Test
  void aPartiallyFailedGroupIsNotARestorePointButTheNewestIsKeptAsFailed() {
    List<StateSnapshot> all = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      all.addAll(night(n, -1));
    }
    all.addAll(night(4, 1));
    all.addAll(night(5, 2));
    RetentionUnits.Unit groups = RetentionUnits.split(all, "ns").get(0);
    var verdict = RetentionEvaluator.evaluate(groups.candidates(), KEEP_LAST_3, NOW);
    // The three newest whole groups (nights 1-3) stay; of the partial ones, the newest (keepFailed
    // 1), the other goes.
    assertThat(verdict.kept())
        .containsOnlyKeys(
            "nightly-20261121-0200",
            "nightly-20261122-0200",
            "nightly-20261123-0200",
            "nightly-20261125-0200");
    assertThat(verdict.kept().get("nightly-20261125-0200")).containsExactly("keepFailed");
    assertThat(verdict.expire()).containsExactly("nightly-20261124-0200");
  }

  @Test
  void aGroupWithAMemberStillRunningOrMissingIsHandledAsSuch() {
    List<StateSnapshot> running = night(1, -1);
    running.set(
        2,
        snap(
            "nightly-20261121-0200-data-2",
            "data-2",
            "nightly-20261121-0200",
            "2026-11-21T02:00:00Z",
            SnapshotPhase.Running));
    assertThat(RetentionUnits.split(running, "ns").get(0).candidates())
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo(RetentionEvaluator.Outcome.IN_PROGRESS));
    List<StateSnapshot> missing = night(1, -1).subList(0, 2);
    assertThat(RetentionUnits.split(missing, "ns").get(0).candidates())
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo(RetentionEvaluator.Outcome.FAILED));
  }
}
