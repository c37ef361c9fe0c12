package dev.strata.e2e.support.kubelet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The pod status a kubelet would report, kept in memory and sent whole as a strategic-merge patch
 * of the status subresource (container status lists are atomic; conditions merge by type, so unset
 * fields are sent as null).
 */
final class PodStatusModel {

  // A plain mapper: null values in maps must be sent, since null removes a field in a merge patch.
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String WAITING_CREATING = "ContainerCreating";
  static final String WAITING_INITIALIZING = "PodInitializing";

  private final Map<String, ContainerStatus> initStatuses = new LinkedHashMap<>();
  private final Map<String, ContainerStatus> containerStatuses = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> conditions = new LinkedHashMap<>();
  private String phase = "Pending";
  private String reason;
  private String message;
  private String startTime;
  private final String hostIp;

  PodStatusModel(Pod pod, String hostIp) {
    this.hostIp = hostIp;
    for (Container container : orEmpty(pod.getSpec().getInitContainers())) {
      initStatuses.put(
          container.getName(), waiting(container, WAITING_INITIALIZING, null, 0, null));
    }
    boolean hasInit = !initStatuses.isEmpty();
    for (Container container : orEmpty(pod.getSpec().getContainers())) {
      containerStatuses.put(
          container.getName(),
          waiting(container, hasInit ? WAITING_INITIALIZING : WAITING_CREATING, null, 0, null));
    }
    condition("PodScheduled", true, null, null);
    condition("PodReadyToStartContainers", false, null, null);
    condition(
        "Initialized",
        !hasInit,
        hasInit ? "ContainersNotInitialized" : null,
        hasInit ? "containers with incomplete status: " + initStatuses.keySet() : null);
    condition(
        "Ready",
        false,
        "ContainersNotReady",
        "containers with unready status: " + containerStatuses.keySet());
    condition(
        "ContainersReady",
        false,
        "ContainersNotReady",
        "containers with unready status: " + containerStatuses.keySet());
  }

  synchronized void started() {
    startTime = now();
  }

  synchronized String phase() {
    return phase;
  }

  synchronized boolean isTerminal() {
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  synchronized void phase(String phase, String reason, String message) {
    this.phase = phase;
    this.reason = reason;
    this.message = message;
  }

  synchronized void condition(String type, boolean status, String reason, String message) {
    String value = status ? "True" : "False";
    Map<String, Object> old = conditions.get(type);
    Map<String, Object> condition = new LinkedHashMap<>();
    condition.put("type", type);
    condition.put("status", value);
    condition.put("reason", reason);
    condition.put("message", message);
    condition.put("lastProbeTime", null);
    condition.put(
        "lastTransitionTime",
        old != null && value.equals(old.get("status")) ? old.get("lastTransitionTime") : now());
    conditions.put(type, condition);
  }

  synchronized ContainerStatus status(String name, boolean init) {
    return (init ? initStatuses : containerStatuses).get(name);
  }

  synchronized void waiting(Container container, boolean init, String why, String detail) {
    ContainerStatus current = status(container.getName(), init);
    put(init, waiting(container, why, detail, current.getRestartCount(), current.getLastState()));
  }

  synchronized void running(Container container, boolean init, String startedAt) {
    ContainerStatus current = status(container.getName(), init);
    put(
        init,
        base(container, current.getRestartCount(), current.getLastState())
            .withState(
                new ContainerStateBuilder()
                    .withNewRunning()
                    .withStartedAt(startedAt)
                    .endRunning()
                    .build())
            .withReady(!init)
            .withStarted(true)
            .build());
  }

  synchronized void terminated(
      Container container,
      boolean init,
      int exitCode,
      String why,
      String detail,
      String startedAt) {
    ContainerStatus current = status(container.getName(), init);
    put(
        init,
        base(container, current.getRestartCount(), current.getLastState())
            .withState(
                new ContainerStateBuilder()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(why)
                    .withMessage(detail)
                    .withStartedAt(startedAt)
                    .withFinishedAt(now())
                    .withContainerID(current.getContainerID())
                    .endTerminated()
                    .build())
            .withReady(false)
            .withStarted(false)
            .build());
  }

  /** Moves the current terminated state to lastState and counts a restart. */
  synchronized void restarting(Container container, boolean init, String detail) {
    ContainerStatus current = status(container.getName(), init);
    ContainerState last = current.getState();
    put(init, waiting(container, "CrashLoopBackOff", detail, current.getRestartCount() + 1, last));
  }

  synchronized boolean isRunning(String name, boolean init) {
    ContainerStatus status = status(name, init);
    return status != null && status.getState() != null && status.getState().getRunning() != null;
  }

  synchronized boolean allContainersReady() {
    return containerStatuses.values().stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
  }

  synchronized List<String> unreadyContainers() {
    return containerStatuses.values().stream()
        .filter(s -> !Boolean.TRUE.equals(s.getReady()))
        .map(ContainerStatus::getName)
        .collect(Collectors.toList());
  }

  /** Whether every regular container has terminated with exit code 0. */
  synchronized boolean allSucceeded() {
    return containerStatuses.values().stream()
        .allMatch(
            s ->
                s.getState().getTerminated() != null
                    && s.getState().getTerminated().getExitCode() == 0);
  }

  /** Recomputes ContainersReady and Ready from the container statuses. */
  synchronized void refreshReadiness() {
    if (isTerminal()) {
      condition("ContainersReady", false, "PodCompleted", null);
      condition("Ready", false, "PodCompleted", null);
      return;
    }
    if (allContainersReady()) {
      condition("ContainersReady", true, null, null);
      condition("Ready", true, null, null);
    } else {
      String detail = "containers with unready status: " + unreadyContainers();
      condition("ContainersReady", false, "ContainersNotReady", detail);
      condition("Ready", false, "ContainersNotReady", detail);
    }
  }

  /** The body of a strategic-merge patch carrying the whole status. */
  synchronized String toPatch() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", phase);
    status.put("reason", reason);
    status.put("message", message);
    status.put("hostIP", hostIp);
    status.put("hostIPs", List.of(Map.of("ip", hostIp)));
    status.put("podIP", hostIp);
    status.put("podIPs", List.of(Map.of("ip", hostIp)));
    if (startTime != null) {
      status.put("startTime", startTime);
    }
    status.put("conditions", new ArrayList<>(conditions.values()));
    status.put("initContainerStatuses", new ArrayList<>(initStatuses.values()));
    status.put("containerStatuses", new ArrayList<>(containerStatuses.values()));
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("status", status);
    try {
      return JSON.writeValueAsString(patch);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void put(boolean init, ContainerStatus status) {
    (init ? initStatuses : containerStatuses).put(status.getName(), status);
  }

  private static ContainerStatus waiting(
      Container container, String why, String detail, int restarts, ContainerState last) {
    return base(container, restarts, last)
        .withState(
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason(why)
                .withMessage(detail)
                .endWaiting()
                .build())
        .withReady(false)
        .withStarted(false)
        .build();
  }

  private static ContainerStatusBuilder base(
      Container container, Integer restarts, ContainerState last) {
    return new ContainerStatusBuilder()
        .withName(container.getName())
        .withImage(container.getImage())
        .withImageID(container.getImage() + "@sha256:" + sha256(container.getImage()))
        .withContainerID(
            "stand-in://"
                + UUID.nameUUIDFromBytes(container.getName().getBytes(StandardCharsets.UTF_8))
                + "-"
                + (restarts == null ? 0 : restarts))
        .withRestartCount(restarts == null ? 0 : restarts)
        .withLastState(last == null ? new ContainerState() : last);
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(String.valueOf(text).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
