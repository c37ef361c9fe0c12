package dev.strata.operator.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * What a finished runner container reported in its termination message: the JSON result of {@code --result-file}, or
 * its error. When the runner could not write the file (it was killed), Kubernetes puts the tail of its log there
 * instead (FallbackToLogsOnError), and the last line is taken as the error.
 */
public record RunnerOutcome(int exitCode, JsonNode result, String error) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean succeeded() {
    return exitCode == 0 && result != null && error == null;
  }

  public long number(String field) {
    return result != null && result.has(field) ? result.get(field).asLong() : 0;
  }

  public String text(String field) {
    return result != null && result.hasNonNull(field) ? result.get(field).asText() : null;
  }

  /** The outcome of the newest terminated runner container among a Job's pods, if any has terminated. */
  public static Optional<RunnerOutcome> fromPods(List<Pod> pods) {
    ContainerStateTerminated newest = null;
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
        if (t != null && (newest == null || compare(t.getFinishedAt(), newest.getFinishedAt()) > 0)) {
          newest = t;
        }
      }
    }
    return Optional.ofNullable(newest).map(t -> parse(t.getExitCode() == null ? -1 : t.getExitCode(), t.getMessage()));
  }

  public static RunnerOutcome parse(int exitCode, String message) {
    String text = message == null ? "" : message.strip();
    if (text.startsWith("{")) {
      try {
        JsonNode node = JSON.readTree(text);
        if (node.hasNonNull("error")) {
          return new RunnerOutcome(exitCode, null, node.get("error").asText());
        }
        return new RunnerOutcome(exitCode, node, exitCode == 0 ? null : "the runner exited with code " + exitCode);
      } catch (Exception e) {
        // not JSON after all: treat as log text
      }
    }
    if (exitCode == 0 && text.isEmpty()) {
      return new RunnerOutcome(exitCode, null, "the runner exited without reporting a result");
    }
    String[] lines = text.split("\n");
    String last = lines.length == 0 || lines[lines.length - 1].isBlank() ? "" : lines[lines.length - 1].strip();
    String error = last.isEmpty() ? "the runner exited with code " + exitCode : last.replaceFirst("^strata: ", "");
    return new RunnerOutcome(exitCode, null, error);
  }

  private static int compare(String a, String b) {
    return String.valueOf(a).compareTo(String.valueOf(b));
  }
}
