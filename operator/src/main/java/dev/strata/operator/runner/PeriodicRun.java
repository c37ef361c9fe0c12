package dev.strata.operator.runner;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Optional;

/**
 * What {@link PeriodicRunPlanner} decided for one kind of a store's periodic runs.
 *
 * @param create the Job to start, if one is due and may start
 * @param last the last run, as the status reports it ({@code S}: the kind's status)
 * @param finished the Job whose end {@code last} reports for the first time, if one does
 */
public record PeriodicRun<S>(Optional<Job> create, S last, Optional<Job> finished) {}
