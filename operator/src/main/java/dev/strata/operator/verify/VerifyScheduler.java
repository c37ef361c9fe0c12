package dev.strata.operator.verify;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.VerificationSpec;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.engine.report.VerifyReport;
import dev.strata.operator.Conditions;
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
 * garbage collection, on the same {@link PeriodicRuns}): records what the newest finished
 * verification found, starts the next when its cron schedule is due, the store is ready, it is not
 * suspended and none runs, and says whether the store is Healthy. A verification that ran to its
 * end reports, whether or not it found damage (it then exits 1); one that could not run (the store
 * failed, the runner was killed) leaves Healthy as it was. Pure.
 */
public final class VerifyScheduler {

  public static final String HEALTHY = "Healthy";

  /**
   * @param last the last verification, as the status reports it
   * @param finished the verification whose end {@code last} reports for the first time, if one does
   */
  public record Plan(Optional<Job> create, VerificationStatus last, Optional<Job> finished) {}

  private final VerifyJobBuilder jobs;

  public VerifyScheduler(VerifyJobBuilder jobs) {
    this.jobs = jobs;
  }

  /**
   * @param outcomes what finished verifications reported, by Job name
   */
  public Plan plan(
      SnapshotStore store,
      boolean ready,
      List<Job> verifyJobs,
      Map<String, RunnerOutcome<VerifyReport>> outcomes,
      Instant now) {
    VerificationStatus last =
        store.getStatus() == null ? null : store.getStatus().lastVerification();
    Optional<Job> newer = PeriodicRuns.newerFinished(verifyJobs, last == null ? null : last.time());
    if (newer.isPresent()) {
      last = toStatus(newer.get(), outcomes.get(newer.get().getMetadata().getName()));
    }
    VerificationSpec v = store.getSpec().verification();
    if (v == null
        || !ready
        || Boolean.TRUE.equals(v.suspend())
        || PeriodicRuns.anyActive(verifyJobs)) {
      return new Plan(Optional.empty(), last, newer);
    }
    // From the last one's end, or the store's creation: a store never verified waits for its first
    // due time.
    return new Plan(
        PeriodicRuns.due(
                v.schedule(),
                last == null ? null : last.time(),
                store.getMetadata().getCreationTimestamp(),
                now)
            .map(d -> jobs.build(store, d)),
        last,
        newer);
  }

  static VerificationStatus toStatus(Job job, RunnerOutcome<VerifyReport> outcome) {
    String time = PeriodicRuns.finishedAt(job);
    Optional<VerifyReport> report = outcome == null ? Optional.empty() : outcome.report();
    if (report.isEmpty()) {
      String why =
          outcome == null ? "the verification left no result" : outcome.failure().message();
      return new VerificationStatus(time, "Failed", null, null, null, null, null, null, why);
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
