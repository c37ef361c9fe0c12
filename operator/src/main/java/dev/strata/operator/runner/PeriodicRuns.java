package dev.strata.operator.runner;

import dev.strata.operator.schedule.CronSchedule;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What runs a resource starts on a cron schedule, rather than once per resource, have in common (a
 * store's garbage collections today, its verifications next): at most one at a time, the newest
 * finished one is what the status reports, and the next is due at the latest cron time since the
 * last.
 */
public final class PeriodicRuns {

  private PeriodicRuns() {}

  /** When a Job ended (Complete or Failed), or null while it runs. */
  public static String finishedAt(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    return job.getStatus().getConditions().stream()
        .filter(
            c ->
                ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                    && "True".equals(c.getStatus()))
        .map(
            c ->
                c.getLastTransitionTime() == null
                    ? job.getStatus().getCompletionTime()
                    : c.getLastTransitionTime())
        .findFirst()
        .orElse(null);
  }

  /**
   * The newest finished Job, when it ended after {@code recorded} (the end the status already
   * reports, or null).
   */
  public static Optional<Job> newerFinished(List<Job> jobs, String recorded) {
    return jobs.stream()
        .filter(j -> finishedAt(j) != null)
        .max(Comparator.comparing(PeriodicRuns::finishedAt))
        .filter(j -> recorded == null || finishedAt(j).compareTo(recorded) > 0);
  }

  /**
   * The latest due time of a UTC cron schedule after the last run (or, before any, the store's
   * creation) and at or before now: runs missed while the operator was down collapse into one.
   * Empty when none is due, or the schedule does not parse (the CRD's pattern lets few such
   * through; the store's status then shows no run).
   *
   * @param last when the last run's due time or end was recorded, or null
   */
  public static Optional<Instant> due(String schedule, String last, String created, Instant now) {
    CronSchedule cron;
    try {
      cron = CronSchedule.parse(schedule, "UTC");
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Instant from =
        last != null ? Instant.parse(last) : created != null ? Instant.parse(created) : now;
    return cron.latestBetween(from.atZone(cron.zone()), now.atZone(cron.zone()))
        .map(ZonedDateTime::toInstant);
  }

  /** True while one of the Jobs has not finished: at most one runs at a time. */
  public static boolean anyActive(List<Job> jobs) {
    return jobs.stream().anyMatch(j -> !RunnerJobs.finished(j));
  }
}
