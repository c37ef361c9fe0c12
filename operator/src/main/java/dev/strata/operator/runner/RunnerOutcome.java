package dev.strata.operator.runner;

import dev.strata.engine.report.RunError;
import dev.strata.engine.report.RunReports;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * What a finished runner container reported in its termination message, read into the runner's own
 * types: the report of {@code --result-file} ({@code R}: BackupReport, RestoreReport, GcReport), or
 * its {@link RunError}. When the runner could not write the file (it was killed), Kubernetes puts
 * the tail of its log there instead (FallbackToLogsOnError), and the last line is taken as the
 * error, of cause INTERNAL.
 */
public record RunnerOutcome<R>(int exitCode, Optional<R> report, Optional<RunError> error) {

  public boolean succeeded() {
    return exitCode == 0 && report.isPresent() && error.isEmpty();
  }

  /** Why it failed; only for an outcome that did not succeed. */
  public RunError failure() {
    return error.orElseGet(
        () ->
            new RunError(
                exitCode == 0
                    ? "the runner exited without reporting a result"
                    : "the runner exited with code " + exitCode,
                RunError.Cause.INTERNAL));
  }

  /**
   * The outcome of the newest terminated runner container among a Job's pods, if any has
   * terminated.
   */
  public static <R> Optional<RunnerOutcome<R>> fromPods(List<Pod> pods, Class<R> type) {
    ContainerStateTerminated newest = null;
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
        if (t != null
            && (newest == null
                || String.valueOf(t.getFinishedAt())
                        .compareTo(String.valueOf(newest.getFinishedAt()))
                    > 0)) {
          newest = t;
        }
      }
    }
    return Optional.ofNullable(newest)
        .map(t -> parse(t.getExitCode() == null ? -1 : t.getExitCode(), t.getMessage(), type));
  }

  public static <R> RunnerOutcome<R> parse(int exitCode, String message, Class<R> type) {
    String text = message == null ? "" : message.strip();
    if (text.startsWith("{")) {
      try {
        RunReports.Result<R> result = RunReports.read(text, type);
        if (result.error().isPresent() || exitCode == 0) {
          return new RunnerOutcome<>(exitCode, result.report(), result.error());
        }
        return new RunnerOutcome<>(
            exitCode,
            result.report(),
            Optional.of(
                new RunError("the runner exited with code " + exitCode, RunError.Cause.INTERNAL)));
      } catch (IllegalArgumentException e) {
        // not a result after all (a log line that starts with a brace): read it as log text
      }
    }
    if (exitCode == 0 && text.isEmpty()) {
      return new RunnerOutcome<>(exitCode, Optional.empty(), Optional.empty());
    }
    String[] lines = text.split("\n");
    String last = lines.length == 0 ? "" : lines[lines.length - 1].strip();
    String error =
        last.isEmpty()
            ? "the runner exited with code " + exitCode
            : last.replaceFirst("^strata: ", "");
    return new RunnerOutcome<>(
        exitCode, Optional.empty(), Optional.of(new RunError(error, RunError.Cause.INTERNAL)));
  }
}
