package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.TransferProgress;
import java.util.Optional;

/**
 * How one kind of run (a snapshot, a restore) writes its resource's status at each step of the
 * lifecycle, built per reconcile from the resource and the time. The {@link RunLifecycle} decides
 * the step; the kind decides the shape.
 *
 * @param <S> the status record
 * @param <R> the runner's report of a success
 */
public interface RunStatus<S, R> {

  /** The status as recorded so far (null before the first reconcile). */
  S recorded();

  /** The phase recorded so far, or null. */
  SnapshotPhase phase();

  /** The reason of the Ready condition recorded so far. */
  Optional<String> readyReason();

  /** The runner Job recorded so far, or null. */
  String recordedJobName();

  /** The resource's kind, for messages ("StateSnapshot"). */
  String kind();

  S pending(String reason, String message);

  S started(String jobName, String message);

  S running(String jobName, Optional<TransferProgress> live);

  /**
   * Running, but its pod has not started and will not by itself (see {@link RunnerWaiting}): Ready
   * False with its reason.
   */
  S waiting(String jobName, String reason, String message);

  S succeeded(String jobName, R report);

  /** The message of a status this writer built (for the Event of a success). */
  String message(S status);

  S failed(String jobName, String reason, String message);
}
