package dev.strata.operator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A running (or starting) pod that mounts a claim, other than Strata's own runners: the node where
 * a ReadWriteOnce volume is mounted, and the user, group and fsGroup its files belong to (from the
 * container that mounts the claim, else the pod's security context; null where the pod does not say
 * and the image decides).
 */
public record ClaimUser(String node, Long runAsUser, Long runAsGroup, Long fsGroup) {

  /** A user of the claim on {@code node} whose identity is not known. */
  public static ClaimUser onNode(String node) {
    return new ClaimUser(node, null, null, null);
  }

  /**
   * The first pod of {@code pods} (one namespace) that {@link #uses} {@code claim}: its node and
   * user.
   */
  public static Optional<ClaimUser> find(List<Pod> pods, String claim) {
    return pods.stream()
        .filter(p -> uses(p, claim))
        .flatMap(p -> volumeOf(p, claim).map(v -> of(p, v)).stream())
        .findFirst();
  }

  /** The pod is scheduled, not ending, not one of Strata's runners, and mounts {@code claim}. */
  public static boolean uses(Pod p, String claim) {
    return p.getSpec() != null
        && p.getSpec().getNodeName() != null
        && (p.getMetadata().getLabels() == null
            || !Labels.RUNNER.equals(p.getMetadata().getLabels().get(Labels.NAME)))
        && p.getStatus() != null
        && ("Running".equals(p.getStatus().getPhase())
            || "Pending".equals(p.getStatus().getPhase()))
        && p.getMetadata().getDeletionTimestamp() == null
        && volumeOf(p, claim).isPresent();
  }

  static ClaimUser of(Pod pod, String volume) {
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    Optional<SecurityContext> container =
        pod.getSpec().getContainers() == null
            ? Optional.empty()
            : pod.getSpec().getContainers().stream()
                .filter(
                    c ->
                        c.getVolumeMounts() != null
                            && c.getVolumeMounts().stream()
                                .anyMatch(m -> volume.equals(m.getName())))
                .map(Container::getSecurityContext)
                .filter(Objects::nonNull)
                .findFirst();
    Long uid =
        container
            .map(SecurityContext::getRunAsUser)
            .orElse(podContext == null ? null : podContext.getRunAsUser());
    Long gid =
        container
            .map(SecurityContext::getRunAsGroup)
            .orElse(podContext == null ? null : podContext.getRunAsGroup());
    return new ClaimUser(
        pod.getSpec().getNodeName(), uid, gid, podContext == null ? null : podContext.getFsGroup());
  }

  private static Optional<String> volumeOf(Pod pod, String claim) {
    List<Volume> volumes = pod.getSpec().getVolumes();
    return volumes == null
        ? Optional.empty()
        : volumes.stream()
            .filter(
                v ->
                    v.getPersistentVolumeClaim() != null
                        && claim.equals(v.getPersistentVolumeClaim().getClaimName()))
            .map(Volume::getName)
            .findFirst();
  }
}
