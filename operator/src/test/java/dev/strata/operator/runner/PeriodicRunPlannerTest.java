package dev.strata.operator.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.engine.GcReport;
import dev.strata.operator.runner.PeriodicRunPlanner.Deadline;
import dev.strata.operator.runner.PeriodicRunPlanner.Due;
import dev.strata.operator.runner.PeriodicRunPlanner.Failure;
import dev.strata.operator.runner.PeriodicRunPlanner.Guard;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lifecycle a store's periodic runs share: what is recorded, what holds one back, when due. */
class PeriodicRunPlannerTest {

  static final String CREATED = "2026-11-25T12:00:00Z";
  static final String DAILY = "0 3 * * *";
  static final Guard GO = new Guard(true, false);
  static final Deadline DEADLINE = new Deadline("the run", "spec.run.deadline", "raise it");

  /**
   * A kind of its own, to see the planner alone: its status says only when it ended and what it
   * says (in a GarbageCollectionStatus), its Job is named after when and why it was due.
   */
  final PeriodicRunPlanner<GarbageCollectionStatus, GcReport> planner =
      new PeriodicRunPlanner<>(
          SnapshotStoreStatus::lastGarbageCollection,
          (job, outcome) ->
              status(
                  PeriodicRuns.finishedAt(job),
                  outcome == null
                      ? "nothing"
                      : outcome.succeeded()
                          ? "deleted " + outcome.report().orElseThrow().blobsDeleted()
                          : Failure.of(job, outcome, "nothing", DEADLINE).reason()),
          (store, when, reason) ->
              new JobBuilder()
                  .withNewMetadata()
                  .withName(store.getMetadata().getName() + " " + when + " " + reason)
                  .endMetadata()
                  .build());

  static GarbageCollectionStatus status(String time, String says) {
    return new GarbageCollectionStatus(time, null, null, null, null, null, null, says);
  }

  static SnapshotStore store(GarbageCollectionStatus recorded) {
    SnapshotStore store = new SnapshotStore();
    store.setMetadata(new ObjectMetaBuilder().withName("s").withCreationTimestamp(CREATED).build());
    store.setStatus(new SnapshotStoreStatus(null, 1L, null, recorded));
    return store;
  }

  /** A Job, finished when {@code condition} (Complete, Failed) is given. */
  static Job job(String name, String condition, String at) {
    String status =
        condition == null
            ? ""
            : "status: {conditions: [{type: "
                + condition
                + ", status: 'True', lastTransitionTime: '"
                + at
                + "'}]}";
    return Serialization.unmarshal("metadata: {name: " + name + "}\n" + status, Job.class);
  }

  PeriodicRun<GarbageCollectionStatus> plan(
      GarbageCollectionStatus recorded,
      List<Job> jobs,
      Map<String, RunnerOutcome<GcReport>> outcomes,
      Guard guard,
      Due due,
      String now) {
    return planner.plan(store(recorded), guard, jobs, outcomes, due, Instant.parse(now));
  }

  static String created(PeriodicRun<GarbageCollectionStatus> run) {
    return run.create().map(j -> j.getMetadata().getName()).orElse(null);
  }

  @Test
  void aDueRunStartsOnlyWhenTheStoreIsReadyTheKindNotSuspendedAndNoneRuns() {
    Due due = Due.schedule(DAILY, CREATED);
    String now = "2026-11-26T03:01:00Z";
    assertThat(created(plan(null, List.of(), Map.of(), GO, due, now)))
        .isEqualTo("s 2026-11-26T03:00:00Z schedule");
    assertThat(plan(null, List.of(), Map.of(), new Guard(false, false), due, now).create())
        .as("store not ready")
        .isEmpty();
    assertThat(plan(null, List.of(), Map.of(), new Guard(true, true), due, now).create())
        .as("suspended")
        .isEmpty();
    assertThat(plan(null, List.of(job("running", null, null)), Map.of(), GO, due, now).create())
        .as("one runs")
        .isEmpty();
    assertThat(
            plan(
                    null,
                    List.of(job("old", "Complete", "2026-11-25T13:00:00Z")),
                    Map.of(),
                    GO,
                    due,
                    now)
                .create())
        .as("finished ones do not hold it back")
        .isPresent();
  }

  /** What a collector that deleted so many blobs writes as its result. */
  static String report(long blobs) {
    return "{\"blobsDeleted\":"
        + blobs
        + ",\"bytesDeleted\":1,\"tombstonesDeleted\":0,\"durationMs\":1}";
  }

  /** The Job a store with nothing running starts, if any. */
  String starts(GarbageCollectionStatus recorded, Due due, String now) {
    return created(plan(recorded, List.of(), Map.of(), GO, due, now));
  }

  @Test
  void aScheduleIsDueFromTheLastRunsEndOrTheCreationARequestAtOnceAndNeverNothing() {
    Due daily = Due.schedule(DAILY, CREATED);
    assertThat(starts(null, daily, "2026-11-26T02:59:00Z"))
        .as("before the first due time after the store's creation")
        .isNull();
    GarbageCollectionStatus ranToday = status("2026-11-26T03:00:20Z", "deleted 1");
    assertThat(starts(ranToday, daily, "2026-11-26T09:00:00Z"))
        .as("the last run ended after today's due time")
        .isNull();
    assertThat(starts(ranToday, daily, "2026-11-29T07:00:00Z"))
        .as("missed runs collapse into the latest")
        .isEqualTo("s 2026-11-29T03:00:00Z schedule");
    Due asked = Due.requested(Instant.parse("2026-11-26T09:00:05Z"), "retention");
    assertThat(starts(ranToday, asked, "2026-11-26T09:00:06Z"))
        .isEqualTo("s 2026-11-26T09:00:05Z retention");
    assertThat(starts(null, Due.never(), "2026-11-29T07:00:00Z")).isNull();
    assertThat(starts(null, Due.schedule("every night", CREATED), "2026-11-29T07:00:00Z"))
        .as("a schedule that does not parse")
        .isNull();
  }

  @Test
  void theNewestFinishedJobIsRecordedOnceAndTheNextIsDueFromItsEnd() {
    GarbageCollectionStatus recorded = status("2026-11-26T03:00:20Z", "deleted 1");
    Job old = job("old", "Complete", "2026-11-26T03:00:20Z");
    Job done = job("done", "Complete", "2026-11-27T03:10:00Z");
    RunnerOutcome<GcReport> ok = RunnerOutcome.parse(0, report(7), GcReport.class);
    PeriodicRun<GarbageCollectionStatus> run =
        plan(
            recorded,
            List.of(done, old),
            Map.of("done", ok),
            GO,
            Due.schedule(DAILY, CREATED),
            "2026-11-27T03:11:00Z");
    assertThat(run.finished()).contains(done);
    assertThat(run.last()).isEqualTo(status("2026-11-27T03:10:00Z", "deleted 7"));
    assertThat(run.create()).as("due from the new run's end: today's ran").isEmpty();

    PeriodicRun<GarbageCollectionStatus> again =
        plan(
            run.last(),
            List.of(done, old),
            Map.of("done", ok),
            GO,
            Due.schedule(DAILY, CREATED),
            "2026-11-27T03:12:00Z");
    assertThat(again.finished()).isEmpty();
    assertThat(again.last()).isEqualTo(run.last());

    assertThat(
            plan(
                    null,
                    List.of(done),
                    Map.of(),
                    new Guard(false, true),
                    Due.never(),
                    "2026-11-27T04:00:00Z")
                .last())
        .as("recorded even when nothing may start; a runner that left nothing says so")
        .isEqualTo(status("2026-11-27T03:10:00Z", "nothing"));
  }

  @Test
  void aFailedRunsReasonIsTheOneFailureReasonsGivesItsCause() {
    Job failed = job("failed", "Failed", "2026-11-27T03:10:00Z");
    RunnerOutcome<GcReport> denied =
        RunnerOutcome.parse(
            1, "{\"error\":\"access denied\",\"cause\":\"ACCESS_DENIED\"}", GcReport.class);
    assertThat(Failure.of(failed, denied, "nothing", DEADLINE))
        .isEqualTo(new Failure("AccessDenied", "access denied"));
    assertThat(
            Failure.of(
                failed,
                RunnerOutcome.parse(137, "strata: killed\n", GcReport.class),
                "nothing",
                DEADLINE))
        .isEqualTo(new Failure("RunnerFailed", "killed"));
    assertThat(Failure.of(failed, null, "the collector left no result", DEADLINE))
        .isEqualTo(new Failure("RunnerFailed", "the collector left no result"));
  }

  @Test
  void aRunItsJobsDeadlineStoppedIsDeadlineExceededAndSaysWhichDeadlineAndWhatToDo() {
    Job stopped =
        Serialization.unmarshal(
            "metadata: {name: stopped}\n"
                + "spec: {activeDeadlineSeconds: 3600}\n"
                + "status: {conditions: [{type: Failed, status: 'True', reason: DeadlineExceeded,"
                + " lastTransitionTime: '2026-11-27T04:10:00Z'}]}",
            Job.class);
    Failure expected =
        new Failure(
            "DeadlineExceeded",
            "the run did not finish within spec.run.deadline (3600 s): raise it");
    assertThat(Failure.of(stopped, null, "nothing", DEADLINE))
        .as("its pod was stopped before it could write a result")
        .isEqualTo(expected);
    RunnerOutcome<GcReport> terminated =
        RunnerOutcome.parse(143, "strata: terminated\n", GcReport.class);
    assertThat(Failure.of(stopped, terminated, "nothing", DEADLINE))
        .as("what the stopped runner said last is not the cause")
        .isEqualTo(expected);
    assertThat(
            plan(
                    null,
                    List.of(stopped),
                    Map.of("stopped", terminated),
                    GO,
                    Due.never(),
                    "2026-11-27T05:00:00Z")
                .last())
        .isEqualTo(status("2026-11-27T04:10:00Z", "DeadlineExceeded"));
  }
}
