package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.PodRestoreResult;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * What a mutated pod's restore init container reported when it ended: its termination message (the
 * runner's --result-file JSON, or its error). A container being retried after a failure reports
 * that failure.
 */
public record PodRestoreReport(
    String sourceId,
    String pod,
    String podUid,
    Instant finishedAt,
    PodRestoreResult result,
    String snapshotId,
    long files,
    long downloadedBytes,
    long reusedBytes,
    String message) {

  public static Optional<PodRestoreReport> of(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String sourceId = annotations == null ? null : annotations.get(RestorePolicyPods.SOURCE);
    if (sourceId == null
        || pod.getStatus() == null
        || pod.getStatus().getInitContainerStatuses() == null) {
      return Optional.empty();
    }
    Optional<ContainerStateTerminated> ended =
        pod.getStatus().getInitContainerStatuses().stream()
            .filter(s -> RestorePolicyPods.INIT_CONTAINER.equals(s.getName()))
            .findFirst()
            .flatMap(PodRestoreReport::terminated);
    if (ended.isEmpty()) {
      return Optional.empty();
    }
    ContainerStateTerminated t = ended.get();
    Instant finished;
    try {
      finished = Instant.parse(t.getFinishedAt());
    } catch (NullPointerException | DateTimeParseException e) {
      return Optional.empty(); // a kubelet always sets it; without it the report cannot be ordered
    }
    RunnerOutcome<RestoreReport> outcome =
        RunnerOutcome.parse(
            t.getExitCode() == null ? -1 : t.getExitCode(), t.getMessage(), RestoreReport.class);
    String name = pod.getMetadata().getName();
    String uid = pod.getMetadata().getUid();
    if (outcome.error().isPresent() || outcome.report().isEmpty()) {
      return Optional.of(
          new PodRestoreReport(
              sourceId,
              name,
              uid,
              finished,
              PodRestoreResult.Failed,
              null,
              0,
              0,
              0,
              outcome.failure().message()));
    }
    RestoreReport r = outcome.report().get();
    if (!r.restored()) {
      return Optional.of(
          new PodRestoreReport(
              sourceId, name, uid, finished, PodRestoreResult.FreshStart, null, 0, 0, 0, null));
    }
    return Optional.of(
        new PodRestoreReport(
            sourceId,
            name,
            uid,
            finished,
            PodRestoreResult.Restored,
            r.snapshotId(),
            orZero(r.files()),
            orZero(r.downloadedBytes()),
            orZero(r.reusedBytes()),
            null));
  }

  private static long orZero(Long n) {
    return n == null ? 0 : n;
  }

  private static Optional<ContainerStateTerminated> terminated(ContainerStatus status) {
    if (status.getState() != null && status.getState().getTerminated() != null) {
      return Optional.of(status.getState().getTerminated());
    }
    ContainerStateTerminated last =
        status.getLastState() == null ? null : status.getLastState().getTerminated();
    return last != null && last.getExitCode() != null && last.getExitCode() != 0
        ? Optional.of(last)
        : Optional.empty();
  }
}
