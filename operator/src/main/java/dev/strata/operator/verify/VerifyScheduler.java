package dev.strata.operator.verify;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.VerificationSpec;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.engine.report.VerifyReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.runner.PeriodicRun;
import dev.strata.operator.runner.PeriodicRunPlanner;
import dev.strata.operator.runner.PeriodicRunPlanner.Deadline;
import dev.strata.operator.runner.PeriodicRunPlanner.Due;
import dev.strata.operator.runner.PeriodicRunPlanner.Guard;
import dev.strata.operator.runner.PeriodicRuns;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a store's scheduled verification, the second kind of run a store starts on its own (after
 * garbage collection, on the same lifecycle, {@link PeriodicRunPlanner}): records what the newest
 * finished verification found (or why it could not run), starts the next when its cron schedule is
 * due, the store is ready, it is not suspended and none runs, and says whether the store is
 * Healthy. A verification that ran to its end reports, whether or not it found damage (it then
 * exits 1); one that could not run (the store failed, the runner was killed) leaves Healthy as it
 * was. Pure.
 */
public final class VerifyScheduler {

  public static final String HEALTHY = "Healthy";

  static final Deadline DEADLINE =
      new Deadline(
          "the verification",
          "spec.verification.activeDeadlineSeconds",
          "raise it, or spec.verification.parallelism");

  private final PeriodicRunPlanner<VerificationStatus, VerifyReport> verifications;

  public VerifyScheduler(VerifyJobBuilder jobs) {
    this.verifications =
        new PeriodicRunPlanner<>(
            SnapshotStoreStatus::lastVerification, VerifyScheduler::toStatus, jobs::build);
  }

  /** What to do: a verification to start, the last one to report, the one newly finished. */
  public PeriodicRun<VerificationStatus> plan(
      SnapshotStore store,
      boolean ready,
      List<Job> verifyJobs,
      Map<String, RunnerOutcome<VerifyReport>> outcomes,
      Instant now) {
    VerificationSpec v = store.getSpec().verification();
    // A store never verified waits for its first due time after its creation.
    Due due =
        v == null
            ? Due.never()
            : Due.schedule(v.schedule(), store.getMetadata().getCreationTimestamp());
    boolean suspended = v != null && Boolean.TRUE.equals(v.suspend());
    return verifications.plan(store, new Guard(ready, suspended), verifyJobs, outcomes, due, now);
  }

  static VerificationStatus toStatus(Job job, RunnerOutcome<VerifyReport> outcome) {
    String time = PeriodicRuns.finishedAt(job);
    Optional<VerifyReport> report = outcome == null ? Optional.empty() : outcome.report();
    if (report.isEmpty()) {
      PeriodicRunPlanner.Failure failed =
          PeriodicRunPlanner.Failure.of(job, outcome, "the verification left no result", DEADLINE);
      return VerificationStatus.failed(time, failed.reason(), failed.message());
    }
    VerifyReport r = report.get();
    String message =
        r.damagedSnapshots() == 0
            ? r.snapshots()
                + " snapshots verified"
                + (r.readData() ? ", every blob read" : ", every blob present")
                + ": no damage"
            : r.damagedSnapshots()
                + " of "
                + r.snapshots()
                + " snapshots are damaged"
                + (r.blobsMarkedDamaged() == null
                    ? ""
                    : "; "
                        + r.blobsMarkedDamaged()
                        + " blobs marked damaged, to be stored again by the next backup that holds them");
    return new VerificationStatus(
        time,
        "Succeeded",
        null,
        r.snapshots(),
        r.damagedSnapshots(),
        r.damaged().isEmpty() ? null : r.damaged(),
        r.readData(),
        r.blobsMarkedDamaged(),
        r.durationMs(),
        message);
  }

  /**
   * The Healthy condition: True when the last verification that ran found no damage, False with the
   * count of damaged snapshots when it found some, Unknown before any ran. A verification that
   * could not run changes nothing.
   */
  public static List<Condition> healthy(
      List<Condition> conditions,
      SnapshotStore store,
      VerificationStatus last,
      Long generation,
      Instant now) {
    Optional<Condition> was = Conditions.find(conditions, HEALTHY);
    if (last == null) {
      String message =
          store.getSpec().verification() == null
              ? "no verification: set spec.verification.schedule to verify every snapshot on a schedule"
              : "not verified yet: the first verification runs at the schedule's next due time";
      return Conditions.set(
          conditions, HEALTHY, Conditions.UNKNOWN, "NotVerified", message, generation, now);
    }
    if (!"Succeeded".equals(last.result())) {
      return was.isPresent()
          ? conditions
          : Conditions.set(
              conditions,
              HEALTHY,
              Conditions.UNKNOWN,
              "VerificationFailed",
              "the verification could not run: " + last.message(),
              generation,
              now);
    }
    long damaged = last.damagedSnapshots() == null ? 0 : last.damagedSnapshots();
    if (damaged == 0) {
      return Conditions.set(
          conditions,
          HEALTHY,
          Conditions.TRUE,
          "Verified",
          last.message() + " (" + last.time() + ")",
          generation,
          now);
    }
    String ids =
        last.damaged() == null
            ? ""
            : " ("
                + String.join(", ", last.damaged())
                + (damaged > last.damaged().size() ? ", ..." : "")
                + ")";
    return Conditions.set(
        conditions,
        HEALTHY,
        Conditions.FALSE,
        "Damaged",
        damaged
            + " damaged snapshots"
            + ids
            + ": they cannot be restored whole; restore another snapshot, and repair with spec.verification.repair: true (or strata verify"
            + " --all --read-data --repair): the next backup of a source that still holds the lost content stores it again",
        generation,
        now);
  }
}
