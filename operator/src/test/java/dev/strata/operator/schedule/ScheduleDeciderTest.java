package dev.strata.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.ConcurrencyPolicy;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.SnapshotScheduleSpec;
import dev.strata.api.v1alpha1.SnapshotScheduleStatus;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotsOnDelete;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ScheduleDeciderTest {

  static final Instant CREATED = Instant.parse("2026-11-26T09:58:00Z");
  final ScheduleDecider decider = new ScheduleDecider(Duration.ofSeconds(60));

  static SnapshotSchedule schedule(
      String cron, ConcurrencyPolicy policy, Long deadline, boolean suspend, String lastScheduled) {
    SnapshotSchedule s = new SnapshotSchedule();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName("nightly")
            .withNamespace("ns")
            .withUid("sched-uid")
            .withGeneration(1L)
            .withCreationTimestamp(CREATED.toString())
            .build());
    s.setSpec(
        new SnapshotScheduleSpec(
            cron,
            "UTC",
            new StateSnapshotSpec(
                new SnapshotSource("data", null),
                new LocalObjectRef("store"),
                null,
                null,
                null,
                null,
                null),
            new LocalObjectRef("keep-7"),
            policy,
            suspend,
            deadline,
            SnapshotsOnDelete.Delete));
    if (lastScheduled != null) {
      s.setStatus(new SnapshotScheduleStatus(lastScheduled, null, null, null, List.of(), null, 1L));
    }
    return s;
  }

  static StateSnapshot snap(String name, SnapshotPhase phase) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
    s.setStatus(
        new StateSnapshotStatus(
            phase,
            null,
            null,
            null,
            "2026-11-26T10:01:00Z",
            null,
            null,
            null,
            null,
            null,
            1L,
            null));
    return s;
  }

  @Test
  void createsTheDueSnapshotNamedAfterTheScheduledTime() {
    ScheduleDecision d =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            Instant.parse("2026-11-26T10:02:30Z"));
    StateSnapshot s = d.create().get(0);
    assertThat(s.getMetadata().getName()).isEqualTo("nightly-20261126-1000");
    assertThat(s.getMetadata().getLabels())
        .containsEntry(Labels.SCHEDULE, "nightly")
        .containsEntry(Labels.RETENTION_POLICY, "keep-7");
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry(Labels.SCHEDULED_TIME, "2026-11-26T10:00:00Z");
    assertThat(s.getMetadata().getOwnerReferences())
        .extracting(r -> r.getUid())
        .containsExactly("sched-uid");
    assertThat(s.getSpec().source().pvcName()).isEqualTo("data");
    assertThat(d.status().lastScheduleTime()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(d.status().nextScheduleTime()).isEqualTo("2026-11-26T10:05:00Z");
    assertThat(d.requeueAfter()).contains(Duration.ofSeconds(60));
  }

  @Test
  void eachRunTakesTheTemplatesHooksAndFileChangePolicy() {
    SnapshotSchedule sched = schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, null);
    dev.strata.api.v1alpha1.SnapshotHooks hooks =
        new dev.strata.api.v1alpha1.SnapshotHooks(
            List.of(
                new dev.strata.api.v1alpha1.Hook(
                    "checkpoint", "app", List.of("sh", "-c", "make-checkpoint"), 60L, null)),
            List.of(
                new dev.strata.api.v1alpha1.Hook(
                    null, null, List.of("rm", "-rf", "/data/checkpoint"), null, null)));
    StateSnapshotSpec t = sched.getSpec().snapshotTemplate();
    sched.setSpec(
        new SnapshotScheduleSpec(
            sched.getSpec().schedule(),
            "UTC",
            new StateSnapshotSpec(
                t.source(),
                t.storeRef(),
                null,
                null,
                null,
                null,
                null,
                hooks,
                dev.strata.api.v1alpha1.OnFileChange.Record,
                5),
            sched.getSpec().retentionPolicyRef(),
            ConcurrencyPolicy.Forbid,
            false,
            null,
            SnapshotsOnDelete.Delete));
    StateSnapshot s =
        decider.decide(sched, List.of(), Instant.parse("2026-11-26T10:02:30Z")).create().get(0);
    assertThat(s.getSpec().hooks()).isEqualTo(hooks);
    assertThat(s.getSpec().onFileChange()).isEqualTo(dev.strata.api.v1alpha1.OnFileChange.Record);
    assertThat(s.getSpec().fileChangeRetries()).isEqualTo(5);
  }

  @Test
  void nothingIsDueBeforeTheFirstScheduledTimeAfterCreation() {
    ScheduleDecision d =
        decider.decide(
            schedule("0 3 * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            Instant.parse("2026-11-26T10:30:00Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.status().nextScheduleTime()).isEqualTo("2026-11-27T03:00:00Z");
  }

  @Test
  void anOperatorClockBehindTheCreationTimeWaitsForTheFirstDueTimeAfterCreationAndSaysWhy() {
    // The operator's clock is a day behind the API server that stamped the creation time (09:58).
    Instant behind = CREATED.minus(Duration.ofDays(1));
    ScheduleDecision d =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            behind);
    assertThat(d.create()).isEmpty();
    assertThat(d.status().lastScheduleTime()).isNull();
    assertThat(d.status().nextScheduleTime())
        .as("the first due time after creation, not after the operator's now")
        .isEqualTo("2026-11-26T10:00:00Z");
    assertThat(d.status().conditions().get(0).getReason()).isEqualTo("WaitingForFirstRun");
    assertThat(d.status().conditions().get(0).getMessage())
        .contains("behind the schedule's creation time (2026-11-26T09:58:00Z)")
        .contains("2026-11-26T10:00:00Z");
    assertThat(d.requeueAfter()).contains(Duration.ofSeconds(60));

    // Once the clock passes that due time, the run happens as usual.
    ScheduleDecision later =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            Instant.parse("2026-11-26T10:00:20Z"));
    assertThat(later.create())
        .map(s -> s.getMetadata().getName())
        .contains("nightly-20261126-1000");
    assertThat(later.status().conditions().get(0).getReason()).isEqualTo("Scheduled");
  }

  @Test
  void aClockAYearAheadCatchesUpOnceOrSkipsPastTheDeadline() {
    Instant yearAhead = CREATED.plus(Duration.ofDays(365)).plus(Duration.ofMinutes(3));
    ScheduleDecision catchUp =
        decider.decide(
            schedule("0 3 * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            yearAhead);
    assertThat(catchUp.create())
        .map(s -> s.getMetadata().getName())
        .contains("nightly-20271126-0300");
    assertThat(catchUp.status().nextScheduleTime()).isEqualTo("2027-11-27T03:00:00Z");

    ScheduleDecision everyMinute =
        decider.decide(
            schedule("* * * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            yearAhead);
    assertThat(everyMinute.create())
        .map(s -> s.getMetadata().getName())
        .contains("nightly-20271126-1001");

    ScheduleDecision skipped =
        decider.decide(
            schedule("0 3 * * *", ConcurrencyPolicy.Forbid, 3600L, false, null),
            List.of(),
            yearAhead);
    assertThat(skipped.create()).isEmpty();
    assertThat(skipped.status().lastScheduleTime()).isEqualTo("2027-11-26T03:00:00Z");
    assertThat(skipped.events())
        .extracting(EventRecorder.Event::reason)
        .containsExactly("MissedSchedule");
  }

  @Test
  void aRunAlreadyHandledIsNotCreatedAgain() {
    ScheduleDecision d =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, "2026-11-26T10:00:00Z"),
            List.of(snap("nightly-20261126-1000", SnapshotPhase.Succeeded)),
            Instant.parse("2026-11-26T10:04:59Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.status().lastSuccessfulSnapshot()).isEqualTo("nightly-20261126-1000");
  }

  @Test
  void manyMissedRunsCatchUpOnceWithTheNewest() {
    ScheduleDecision d =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, "2026-11-26T10:00:00Z"),
            List.of(),
            Instant.parse("2026-11-26T13:07:00Z"));
    assertThat(d.create()).map(s -> s.getMetadata().getName()).contains("nightly-20261126-1305");
    assertThat(d.status().lastScheduleTime()).isEqualTo("2026-11-26T13:05:00Z");
  }

  @Test
  void aRunLaterThanTheStartingDeadlineIsSkipped() {
    ScheduleDecision d =
        decider.decide(
            schedule("0 * * * *", ConcurrencyPolicy.Forbid, 300L, false, "2026-11-26T10:00:00Z"),
            List.of(),
            Instant.parse("2026-11-26T11:06:00Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.events())
        .extracting(EventRecorder.Event::reason)
        .containsExactly("MissedSchedule");
    assertThat(d.status().lastScheduleTime()).isEqualTo("2026-11-26T11:00:00Z");
  }

  @Test
  void forbidSkipsWhileOneRunsAllowRunsBothReplaceStopsTheOld() {
    List<StateSnapshot> running = List.of(snap("nightly-20261126-1000", SnapshotPhase.Running));
    Instant now = Instant.parse("2026-11-26T10:05:10Z");
    ScheduleDecision forbid =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, false, "2026-11-26T10:00:00Z"),
            running,
            now);
    assertThat(forbid.create()).isEmpty();
    assertThat(forbid.events())
        .extracting(EventRecorder.Event::reason)
        .containsExactly("SkippedConcurrent");
    assertThat(forbid.status().active()).containsExactly("nightly-20261126-1000");

    ScheduleDecision allow =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Allow, null, false, "2026-11-26T10:00:00Z"),
            running,
            now);
    assertThat(allow.create()).isNotEmpty();
    assertThat(allow.delete()).isEmpty();
    assertThat(allow.status().active())
        .containsExactly("nightly-20261126-1000", "nightly-20261126-1005");

    ScheduleDecision replace =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Replace, null, false, "2026-11-26T10:00:00Z"),
            running,
            now);
    assertThat(replace.create()).isNotEmpty();
    assertThat(replace.delete()).containsExactly("nightly-20261126-1000");
  }

  @Test
  void suspendedCreatesNothing() {
    ScheduleDecision d =
        decider.decide(
            schedule("*/5 * * * *", ConcurrencyPolicy.Forbid, null, true, null),
            List.of(),
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.status().conditions().get(0).getReason()).isEqualTo("Suspended");
  }

  @Test
  void anInvalidScheduleIsAConditionWithTheReason() {
    ScheduleDecision d =
        decider.decide(
            schedule("0 25 * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.status().conditions().get(0).getReason()).isEqualTo("InvalidSchedule");
    assertThat(d.status().conditions().get(0).getMessage())
        .contains("the hour field '25' is not valid");
    assertThat(d.events()).hasSize(1);
    // kstatus: nothing moves until the spec changes.
    assertThat(d.status().conditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason())
        .containsExactly(
            "Ready=False InvalidSchedule",
            "Reconciling=False InvalidSchedule",
            "Stalled=True InvalidSchedule");
    assertThat(d.status().observedGeneration()).isEqualTo(1L);
    assertThat(d.status().conditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L));
  }

  @Test
  void aRunningScheduleIsCurrent() {
    ScheduleDecision d =
        decider.decide(
            schedule("0 3 * * *", ConcurrencyPolicy.Forbid, null, false, null),
            List.of(),
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.status().conditions())
        .extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactly("Ready=True", "Reconciling=False", "Stalled=False");
  }

  static SnapshotSchedule grouped(ConcurrencyPolicy policy, String lastScheduled) {
    SnapshotSchedule s = schedule("*/5 * * * *", policy, null, false, lastScheduled);
    SnapshotScheduleSpec g = s.getSpec();
    s.setSpec(
        new SnapshotScheduleSpec(
            g.schedule(),
            "UTC",
            new StateSnapshotSpec(
                new SnapshotSource(null, "rocksdb"),
                new LocalObjectRef("store"),
                null,
                null,
                null,
                null,
                null),
            g.retentionPolicyRef(),
            policy,
            false,
            null,
            SnapshotsOnDelete.Orphan,
            new dev.strata.api.v1alpha1.StatefulSetVolumes("web", null),
            null));
    return s;
  }

  static VolumeSelection.Selected three() {
    return new VolumeSelection.Selected(
        List.of("data-web-0", "data-web-1", "data-web-2"), List.of(), null);
  }

  static StateSnapshot member(String group, String pvc, SnapshotPhase phase) {
    StateSnapshot s = snap(group + "-" + pvc, phase);
    s.getMetadata()
        .setLabels(
            new java.util.HashMap<>(
                java.util.Map.of(
                    Labels.SCHEDULE, "nightly", Labels.GROUP, group, Labels.GROUP_SIZE, "3")));
    s.getMetadata().setAnnotations(java.util.Map.of(Labels.SCHEDULED_TIME, "2026-11-26T10:00:00Z"));
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, "rocksdb"),
            new LocalObjectRef("store"),
            null,
            null,
            null,
            null,
            null));
    return s;
  }

  @Test
  void aGroupedRunMakesOneSnapshotPerSelectedPvcAllLabelledWithTheGroupAndItsSize() {
    ScheduleDecision d =
        decider.decide(
            grouped(ConcurrencyPolicy.Forbid, null),
            List.of(),
            three(),
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.create())
        .extracting(s -> s.getMetadata().getName())
        .containsExactly(
            "nightly-20261126-1000-data-web-0",
            "nightly-20261126-1000-data-web-1",
            "nightly-20261126-1000-data-web-2");
    assertThat(d.create())
        .allSatisfy(
            s -> {
              assertThat(s.getMetadata().getLabels())
                  .containsEntry(Labels.GROUP, "nightly-20261126-1000")
                  .containsEntry(Labels.GROUP_SIZE, "3")
                  .containsEntry(Labels.SCHEDULE, "nightly")
                  .containsEntry(Labels.RETENTION_POLICY, "keep-7");
              assertThat(s.getSpec().source().path()).isEqualTo("rocksdb");
              assertThat(s.getMetadata().getOwnerReferences()).isEmpty();
            });
    assertThat(d.create())
        .extracting(s -> s.getSpec().source().pvcName())
        .containsExactly("data-web-0", "data-web-1", "data-web-2");
    assertThat(d.events())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.note())
                    .isEqualTo(
                        "created group nightly-20261126-1000 of 3 StateSnapshots (data-web-0, data-web-1, data-web-2) for 2026-11-26T10:00:00Z"));
    assertThat(d.outcomes()).containsExactly("created");
    assertThat(d.status().lastGroup().name()).isEqualTo("nightly-20261126-1000");
    assertThat(d.status().lastGroup().phase()).isEqualTo("Running");
    assertThat(d.status().lastGroup().members()).hasSize(3);
    assertThat(d.status().active()).hasSize(3);
  }

  @Test
  void aGroupCreatedInPartBeforeARestartIsCompletedAndNotTakenForAConcurrentRun() {
    String g = "nightly-20261126-1000";
    ScheduleDecision d =
        decider.decide(
            grouped(ConcurrencyPolicy.Forbid, null),
            List.of(member(g, "data-web-0", SnapshotPhase.Running)),
            three(),
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.create())
        .extracting(s -> s.getSpec().source().pvcName())
        .containsExactly("data-web-1", "data-web-2");
    assertThat(d.events())
        .extracting(EventRecorder.Event::reason)
        .containsExactly("SnapshotCreated");
  }

  @Test
  void aGroupStillRunningMakesForbidSkipTheNextRun() {
    List<StateSnapshot> last =
        List.of(
            member("nightly-20261126-1000", "data-web-0", SnapshotPhase.Succeeded),
            member("nightly-20261126-1000", "data-web-1", SnapshotPhase.Running),
            member("nightly-20261126-1000", "data-web-2", SnapshotPhase.Succeeded));
    ScheduleDecision d =
        decider.decide(
            grouped(ConcurrencyPolicy.Forbid, "2026-11-26T10:00:00Z"),
            last,
            three(),
            Instant.parse("2026-11-26T10:05:10Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.events())
        .extracting(EventRecorder.Event::reason)
        .containsExactly("SkippedConcurrent");
    assertThat(d.status().lastGroup().succeeded()).isEqualTo(2);
    assertThat(d.status().lastGroup().running()).isEqualTo(1);
    assertThat(d.status().lastSuccessfulGroup()).isNull();
  }

  @Test
  void theStatusNamesTheNewestGroupAndTheNewestWholeOne() {
    List<StateSnapshot> mine = new java.util.ArrayList<>();
    for (String pvc : List.of("data-web-0", "data-web-1", "data-web-2")) {
      mine.add(member("nightly-20261126-1000", pvc, SnapshotPhase.Succeeded));
      StateSnapshot later =
          member(
              "nightly-20261126-1005",
              pvc,
              pvc.endsWith("1") ? SnapshotPhase.Failed : SnapshotPhase.Succeeded);
      later
          .getMetadata()
          .setAnnotations(java.util.Map.of(Labels.SCHEDULED_TIME, "2026-11-26T10:05:00Z"));
      mine.add(later);
    }
    ScheduleDecision d =
        decider.decide(
            grouped(ConcurrencyPolicy.Forbid, "2026-11-26T10:05:00Z"),
            mine,
            three(),
            Instant.parse("2026-11-26T10:06:00Z"));
    assertThat(d.status().lastGroup().name()).isEqualTo("nightly-20261126-1005");
    assertThat(d.status().lastGroup().phase()).isEqualTo("PartiallyFailed");
    assertThat(d.status().lastGroup().failed()).isEqualTo(1);
    assertThat(d.status().lastSuccessfulGroup()).isEqualTo("nightly-20261126-1000");
  }

  @Test
  void aSelectionThatFailsIsAConditionAndTheDueRunIsSkippedWithAWarning() {
    VolumeSelection.Selected none =
        new VolumeSelection.Selected(
            List.of(),
            List.of(),
            "StatefulSet web does not exist in this namespace (spec.statefulSet.name)");
    ScheduleDecision d =
        decider.decide(
            grouped(ConcurrencyPolicy.Forbid, null),
            List.of(),
            none,
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.create()).isEmpty();
    assertThat(d.status().conditions().get(0).getStatus()).isEqualTo("False");
    assertThat(d.status().conditions().get(0).getReason()).isEqualTo("VolumesNotFound");
    assertThat(d.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("NoVolumes");
              assertThat(e.note()).contains("StatefulSet web does not exist");
            });
    assertThat(d.status().lastScheduleTime()).isEqualTo("2026-11-26T10:00:00Z");
  }

  @Test
  void claimsNotCreatedYetAreNamedInTheEvent() {
    VolumeSelection.Selected two =
        new VolumeSelection.Selected(
            List.of("data-web-0", "data-web-1"), List.of("data-web-2"), null);
    ScheduleDecision d =
        decider.decide(
            grouped(ConcurrencyPolicy.Forbid, null),
            List.of(),
            two,
            Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(d.create())
        .hasSize(2)
        .allSatisfy(
            s -> assertThat(s.getMetadata().getLabels()).containsEntry(Labels.GROUP_SIZE, "2"));
    assertThat(d.events())
        .singleElement()
        .satisfies(
            e -> assertThat(e.note()).endsWith("; not created yet, so not taken: data-web-2"));
  }

  /** A selection that counts how often it is read (from the API server, in the operator). */
  static final class Counted implements Supplier<VolumeSelection.Selected> {
    final VolumeSelection.Selected selection;
    int reads;

    Counted(VolumeSelection.Selected selection) {
      this.selection = selection;
    }

    @Override
    public VolumeSelection.Selected get() {
      reads++;
      return selection;
    }
  }

  @Test
  void aGroupedScheduleReadsItsVolumesOnlyWhenARunIsDueItsSpecIsNewOrTheyWereNotFound() {
    SnapshotSchedule sched = grouped(ConcurrencyPolicy.Forbid, "2026-11-26T10:00:00Z");
    Counted volumes = new Counted(three());
    ScheduleDecision idle =
        decider.decide(sched, List.of(), volumes, Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(volumes.reads).as("not due: the clock alone is looked at").isZero();
    assertThat(idle.status().conditions().get(0).getReason()).isEqualTo("Scheduled");

    decider.decide(sched, List.of(), volumes, Instant.parse("2026-11-26T10:05:10Z"));
    assertThat(volumes.reads).as("due").isEqualTo(1);

    sched.getMetadata().setGeneration(2L);
    decider.decide(sched, List.of(), volumes, Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(volumes.reads).as("a spec not yet observed").isEqualTo(2);

    SnapshotSchedule broken = grouped(ConcurrencyPolicy.Forbid, null);
    ScheduleDecision notFound =
        decider.decide(
            broken,
            List.of(),
            new VolumeSelection.Selected(List.of(), List.of(), "StatefulSet web does not exist"),
            Instant.parse("2026-11-26T10:00:30Z"));
    broken.setStatus(notFound.status());
    Counted fixed = new Counted(three());
    ScheduleDecision again =
        decider.decide(broken, List.of(), fixed, Instant.parse("2026-11-26T10:02:30Z"));
    assertThat(fixed.reads).as("the last look found none: look again until found").isEqualTo(1);
    assertThat(again.status().conditions().get(0).getStatus()).isEqualTo("True");
    broken.setStatus(again.status());
    decider.decide(broken, List.of(), fixed, Instant.parse("2026-11-26T10:03:30Z"));
    assertThat(fixed.reads).as("found: back to due times only").isEqualTo(1);
  }
}
