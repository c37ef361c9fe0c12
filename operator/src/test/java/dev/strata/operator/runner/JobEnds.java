package dev.strata.operator.runner;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;

/** How the Job controller ends a runner Job, for tests of what the operator makes of it. */
public final class JobEnds {

  private JobEnds() {}

  /** The Job as its activeDeadlineSeconds left it at {@code at}: Failed, DeadlineExceeded. */
  public static Job stoppedByDeadline(Job job, String at) {
    job.setStatus(
        new JobStatusBuilder()
            .withConditions(
                new JobConditionBuilder()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason("DeadlineExceeded")
                    .withMessage("Job was active longer than specified deadline")
                    .withLastTransitionTime(at)
                    .build())
            .build());
    return job;
  }
}
