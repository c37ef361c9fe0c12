package dev.strata.operator.runner;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What runs a resource starts on a cron schedule, rather than once per resource, have in common (a store's garbage
 * collections today, its verifications next): at most one at a time, the newest finished one is what the status
 * reports, and the next is due at the latest cron time since the last.
 */
public final class PeriodicRuns {

  private PeriodicRuns() {}

  /** When a Job ended (Complete or Failed), or null while it runs. */
  public static String finishedAt(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))
        .map(c -> c.getLastTransitionTime() == null ? job.getStatus().getCompletionTime() : c.getLastTransitionTime())
        .findFirst().orElse(null);
  }

  /** The newest finished Job, when it ended after {@code recorded} (the end the status already reports, or null). */
  public static Optional<Job> newerFinished(List<Job> jobs, String recorded) {
    return jobs.stream()
        .filter(j -> finishedAt(j) != null)
        .max(Comparator.comparing(PeriodicRuns::finishedAt))
        .filter(j -> recorded == null || finishedAt(j).compareTo(recorded) > 0);
  }

  /** True while one of the Jobs has not finished: at most one runs at a time. */
  public static boolean anyActive(List<Job> jobs) {
    return jobs.stream().anyMatch(j -> !RunnerJobs.finished(j));
  }
}
