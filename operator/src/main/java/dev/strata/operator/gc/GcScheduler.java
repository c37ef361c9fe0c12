package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.engine.GcReport;
import dev.strata.operator.runner.PeriodicRuns;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a store's garbage collection, the one place collector Jobs are planned: records the
 * newest finished collector's figures, and starts a new one when the store's GC schedule is due or
 * retention asked for one, the store is ready, the collection is not suspended, and none runs.
 * Pure.
 */
public final class GcScheduler {

  public static final String DEFAULT_SCHEDULE = "17 3 * * *";

  /**
   * What to do: a GC Job to create, and the last collection to report.
   *
   * @param finished the collector whose end {@code last} reports for the first time, if one does
   */
  public record Plan(Optional<Job> create, GarbageCollectionStatus last, Optional<Job> finished) {}

  private final GcJobBuilder jobs;

  public GcScheduler(GcJobBuilder jobs) {
    this.jobs = jobs;
  }

  /**
   * @param outcomes what finished collectors reported, by Job name
   * @param requested when retention asked for a collection, if it did
   */
  public Plan plan(
      SnapshotStore store,
      boolean ready,
      List<Job> gcJobs,
      Map<String, RunnerOutcome<GcReport>> outcomes,
      Optional<Instant> requested,
      Instant now) {
    GarbageCollectionStatus last =
        store.getStatus() == null ? null : store.getStatus().lastGarbageCollection();
    Optional<Job> newer = PeriodicRuns.newerFinished(gcJobs, last == null ? null : last.time());
    if (newer.isPresent()) {
      last = toStatus(newer.get(), outcomes.get(newer.get().getMetadata().getName()));
    }
    GarbageCollectionSpec gc = store.getSpec().gc();
    if (!ready
        || (gc != null && Boolean.TRUE.equals(gc.suspend()))
        || PeriodicRuns.anyActive(gcJobs)) {
      return new Plan(Optional.empty(), last, newer);
    }
    if (requested.isPresent()) {
      return new Plan(Optional.of(jobs.build(store, requested.get(), "retention")), last, newer);
    }
    return new Plan(
        PeriodicRuns.due(
                gc == null || gc.schedule() == null ? DEFAULT_SCHEDULE : gc.schedule(),
                last == null ? null : last.time(),
                store.getMetadata().getCreationTimestamp(),
                now)
            .map(d -> jobs.build(store, d, "schedule")),
        last,
        newer);
  }

  static GarbageCollectionStatus toStatus(Job job, RunnerOutcome<GcReport> outcome) {
    String time = PeriodicRuns.finishedAt(job);
    if (outcome == null) {
      return new GarbageCollectionStatus(
          time, "Failed", null, null, null, null, "the collector left no result");
    }
    if (!outcome.succeeded()) {
      return new GarbageCollectionStatus(
          time, "Failed", null, null, null, null, outcome.failure().message());
    }
    GcReport r = outcome.report().orElseThrow();
    return new GarbageCollectionStatus(
        time,
        "Succeeded",
        r.blobsDeleted(),
        r.bytesDeleted(),
        r.tombstonesDeleted(),
        r.durationMs(),
        "deleted " + r.blobsDeleted() + " blobs");
  }
}
