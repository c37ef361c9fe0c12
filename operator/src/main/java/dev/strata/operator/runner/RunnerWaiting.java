package dev.strata.operator.runner;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a runner's pod has not started, as Kubernetes says it: the scheduler cannot place it (a taint
 * it does not tolerate, a nodeSelector no node matches, no room), or its container cannot be
 * created (an image it cannot pull). Such a pod waits until the Job's deadline; the run says why
 * meanwhile, and says it again when the deadline ends it, instead of a bare "Running" followed by
 * "did not finish".
 *
 * @param reason the run's condition reason: Unschedulable, or the container's waiting reason
 *     (ImagePullBackOff...)
 * @param pod the pod's name
 * @param detail what the scheduler or the kubelet said
 */
public record RunnerWaiting(String reason, String pod, String detail) {

  public static final String UNSCHEDULABLE = "Unschedulable";

  /**
   * Container waiting reasons that do not pass by themselves (unlike ContainerCreating or
   * PodInitializing).
   */
  static final Set<String> STUCK_CONTAINER =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private static final String DEADLINE =
      "; the run fails if it has not started within spec.activeDeadlineSeconds";

  /**
   * The reasons a run records while its pod waits so; a deadline that ends such a run keeps the
   * reason.
   */
  public static boolean isReason(String reason) {
    return UNSCHEDULABLE.equals(reason) || STUCK_CONTAINER.contains(reason);
  }

  /**
   * The Job has no pod now: not created yet, or deleted by the Job's deadline (an unscheduled pod
   * goes at once, often before the Job says it failed). Nothing has started, so a run that waited
   * goes on waiting; it never becomes a reason.
   */
  public static final RunnerWaiting NO_POD = new RunnerWaiting("NoPod", "", "");

  /**
   * The first pod of a Job (by name) that waits for one of those reasons, if any does; {@link
   * #NO_POD} when the Job has no pod that is not being deleted.
   */
  public static Optional<RunnerWaiting> of(List<Pod> pods) {
    List<Pod> live =
        pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    if (live.isEmpty()) {
      return Optional.of(NO_POD);
    }
    return live.stream()
        .filter(p -> p.getStatus() != null && "Pending".equals(p.getStatus().getPhase()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(RunnerWaiting::ofPod)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<RunnerWaiting> ofPod(Pod pod) {
    String name = pod.getMetadata().getName();
    List<PodCondition> conditions = pod.getStatus().getConditions();
    if (conditions != null) {
      for (PodCondition c : conditions) {
        if ("PodScheduled".equals(c.getType())
            && "False".equals(c.getStatus())
            && UNSCHEDULABLE.equals(c.getReason())) {
          return Optional.of(
              new RunnerWaiting(
                  UNSCHEDULABLE, name, c.getMessage() == null ? "" : c.getMessage().strip()));
        }
      }
    }
    List<ContainerStatus> containers = pod.getStatus().getContainerStatuses();
    if (containers != null) {
      for (ContainerStatus cs : containers) {
        ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
        if (w != null && STUCK_CONTAINER.contains(w.getReason())) {
          return Optional.of(
              new RunnerWaiting(
                  w.getReason(), name, w.getMessage() == null ? "" : w.getMessage().strip()));
        }
      }
    }
    return Optional.empty();
  }

  /** The run's status message while it waits, with the Job's deadline. */
  public String message(Long deadlineSeconds) {
    return what() + DEADLINE + (deadlineSeconds == null ? "" : " (" + deadlineSeconds + " s)");
  }

  /**
   * The run's failure when the deadline ended it while it waited: what the waiting message said,
   * and that the deadline has now passed.
   */
  public static String deadlinePassed(String waitingMessage, Long deadlineSeconds) {
    String what = waitingMessage == null ? "the runner pod never started" : waitingMessage;
    int cut = what.indexOf(DEADLINE);
    return (cut < 0 ? what : what.substring(0, cut))
        + "; it had not started when spec.activeDeadlineSeconds"
        + (deadlineSeconds == null ? "" : " (" + deadlineSeconds + " s)")
        + " passed";
  }

  private String what() {
    if (UNSCHEDULABLE.equals(reason)) {
      return "the runner pod "
          + pod
          + " cannot be scheduled: "
          + detail
          + " (give runners a toleration or nodeSelector"
          + " that fits a node: spec.runner here or on the SnapshotStore, or the chart's runner.podDefaults)";
    }
    return "the runner pod "
        + pod
        + " cannot start its container ("
        + reason
        + "): "
        + detail
        + " (check the runner image and spec.runner.imagePullSecrets)";
  }
}
