package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.engine.GcReport;
import dev.strata.operator.runner.PeriodicRun;
import dev.strata.operator.runner.PeriodicRunPlanner;
import dev.strata.operator.runner.PeriodicRunPlanner.Deadline;
import dev.strata.operator.runner.PeriodicRunPlanner.Due;
import dev.strata.operator.runner.PeriodicRunPlanner.Guard;
import dev.strata.operator.runner.PeriodicRuns;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a store's garbage collection, the one place collector Jobs are planned, on the lifecycle
 * of a store's periodic runs ({@link PeriodicRunPlanner}): records the newest finished collector's
 * figures (or its failure's reason), and starts a new one when the store's GC schedule is due or
 * retention asked for one, the store is ready, the collection is not suspended, and none runs.
 * Pure.
 */
public final class GcScheduler {

  public static final String DEFAULT_SCHEDULE = "17 3 * * *";

  static final Deadline DEADLINE =
      new Deadline("the collector", "spec.gc.activeDeadlineSeconds", "raise it");

  private final PeriodicRunPlanner<GarbageCollectionStatus, GcReport> collections;

  public GcScheduler(GcJobBuilder jobs) {
    this.collections =
        new PeriodicRunPlanner<>(
            SnapshotStoreStatus::lastGarbageCollection, GcScheduler::toStatus, jobs::build);
  }

  /**
   * What to do: a GC Job to create, the last collection to report, and the collector whose end it
   * reports for the first time, if one does.
   *
   * @param outcomes what finished collectors reported, by Job name
   * @param requested when retention asked for a collection, if it did: it starts at once
   */
  public PeriodicRun<GarbageCollectionStatus> plan(
      SnapshotStore store,
      boolean ready,
      List<Job> gcJobs,
      Map<String, RunnerOutcome<GcReport>> outcomes,
      Optional<Instant> requested,
      Instant now) {
    GarbageCollectionSpec gc = store.getSpec().gc();
    Due due =
        requested
            .map(at -> Due.requested(at, "retention"))
            .orElseGet(
                () ->
                    Due.schedule(
                        gc == null || gc.schedule() == null ? DEFAULT_SCHEDULE : gc.schedule(),
                        store.getMetadata().getCreationTimestamp()));
    boolean suspended = gc != null && Boolean.TRUE.equals(gc.suspend());
    return collections.plan(store, new Guard(ready, suspended), gcJobs, outcomes, due, now);
  }

  static GarbageCollectionStatus toStatus(Job job, RunnerOutcome<GcReport> outcome) {
    String time = PeriodicRuns.finishedAt(job);
    if (outcome == null || !outcome.succeeded()) {
      PeriodicRunPlanner.Failure failed =
          PeriodicRunPlanner.Failure.of(job, outcome, "the collector left no result", DEADLINE);
      return GarbageCollectionStatus.failed(time, failed.reason(), failed.message());
    }
    GcReport r = outcome.report().orElseThrow();
    return new GarbageCollectionStatus(
        time,
        "Succeeded",
        null,
        r.blobsDeleted(),
        r.bytesDeleted(),
        r.tombstonesDeleted(),
        r.durationMs(),
        "deleted " + r.blobsDeleted() + " blobs");
  }
}
