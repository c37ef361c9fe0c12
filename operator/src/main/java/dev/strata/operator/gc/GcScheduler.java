package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.schedule.CronSchedule;
import dev.strata.operator.snapshot.RunnerOutcome;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a store's garbage collection: records the newest finished GC Job's figures, and starts a new one when the
 * store's GC schedule is due, the store is ready, and none runs. Pure.
 */
public final class GcScheduler {

  public static final String DEFAULT_SCHEDULE = "17 3 * * *";

  /** What to do: a GC Job to create, and the last collection to report. */
  public record Plan(Optional<Job> create, GarbageCollectionStatus last) {}

  private final GcJobBuilder jobs;

  public GcScheduler(GcJobBuilder jobs) {
    this.jobs = jobs;
  }

  public Plan plan(SnapshotStore store, boolean ready, List<Job> gcJobs, Map<String, RunnerOutcome> outcomes, Instant now) {
    GarbageCollectionStatus last = store.getStatus() == null ? null : store.getStatus().lastGarbageCollection();
    Optional<Job> newestFinished = gcJobs.stream()
        .filter(j -> finishedAt(j) != null)
        .max(Comparator.comparing(GcScheduler::finishedAt));
    if (newestFinished.isPresent() && (last == null || last.time() == null || finishedAt(newestFinished.get()).compareTo(last.time()) > 0)) {
      last = toStatus(newestFinished.get(), outcomes.get(newestFinished.get().getMetadata().getName()));
    }
    GarbageCollectionSpec gc = store.getSpec().gc();
    if (!ready || (gc != null && Boolean.TRUE.equals(gc.suspend())) || GcJobBuilder.anyActive(gcJobs)) {
      return new Plan(Optional.empty(), last);
    }
    CronSchedule cron;
    try {
      cron = CronSchedule.parse(gc == null || gc.schedule() == null ? DEFAULT_SCHEDULE : gc.schedule(), "UTC");
    } catch (IllegalArgumentException e) {
      return new Plan(Optional.empty(), last);
    }
    Instant from = last != null && last.time() != null
        ? Instant.parse(last.time())
        : Instant.parse(store.getMetadata().getCreationTimestamp());
    Optional<ZonedDateTime> due = cron.latestBetween(from.atZone(cron.zone()), now.atZone(cron.zone()));
    return new Plan(due.map(d -> jobs.build(store, d.toInstant(), "schedule")), last);
  }

  public static String finishedAt(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))
        .map(c -> c.getLastTransitionTime() == null ? job.getStatus().getCompletionTime() : c.getLastTransitionTime())
        .findFirst().orElse(null);
  }

  static GarbageCollectionStatus toStatus(Job job, RunnerOutcome outcome) {
    String time = finishedAt(job);
    if (outcome == null) {
      return new GarbageCollectionStatus(time, "Failed", null, null, null, null, "the collector left no result");
    }
    if (!outcome.succeeded()) {
      return new GarbageCollectionStatus(time, "Failed", null, null, null, null, outcome.error());
    }
    return new GarbageCollectionStatus(time, "Succeeded", outcome.number("blobsDeleted"), outcome.number("bytesDeleted"),
        outcome.number("tombstonesDeleted"), outcome.number("durationMs"),
        "deleted " + outcome.number("blobsDeleted") + " blobs");
  }
}
