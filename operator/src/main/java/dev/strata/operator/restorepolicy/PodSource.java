package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestorePolicySpec;
import dev.strata.api.v1alpha1.SnapshotSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.Optional;

/**
 * A pod's own source: the PVC behind its volume {@code volumeName} and the path snapshots were
 * taken of. The identity is exactly what a StateSnapshot of that PVC in this cluster records
 * ({@link SnapshotSource#sourceId}), so replica 0 restores replica 0's snapshots; its identity from
 * before clusters were named ({@code formerSourceId}) counts while it has none under its own. A
 * StatefulSet's pods name their claim ({@code <template>-<set>-<ordinal>}) in their own spec, so
 * the pod spec is all that is read.
 */
public record PodSource(
    String volumeName, String claimName, String sourceId, String formerSourceId) {

  /** Why a pod that a policy selects cannot be restored by it; the webhook says so in a warning. */
  public static final class Unusable extends Exception {
    Unusable(String message) {
      super(message);
    }
  }

  /**
   * The pod's source for the policy; empty when the pod has no volume of that name (the policy does
   * not apply).
   *
   * @throws Unusable when the volume exists but cannot be restored into (not a PVC, or read-only)
   */
  public static Optional<PodSource> of(
      Pod pod, String namespace, String cluster, RestorePolicySpec spec) throws Unusable {
    Optional<Volume> volume =
        pod.getSpec() == null || pod.getSpec().getVolumes() == null
            ? Optional.empty()
            : pod.getSpec().getVolumes().stream()
                .filter(v -> spec.volumeName().equals(v.getName()))
                .findFirst();
    if (volume.isEmpty()) {
      return Optional.empty();
    }
    var claim = volume.get().getPersistentVolumeClaim();
    if (claim == null || claim.getClaimName() == null || claim.getClaimName().isBlank()) {
      throw new Unusable(
          "volume "
              + spec.volumeName()
              + " is not a persistentVolumeClaim volume: there is no PVC to name its source");
    }
    if (Boolean.TRUE.equals(claim.getReadOnly())) {
      throw new Unusable(
          "volume " + spec.volumeName() + " is mounted read-only: nothing can be restored into it");
    }
    SnapshotSource source = new SnapshotSource(claim.getClaimName(), spec.normalizedSourcePath());
    return Optional.of(
        new PodSource(
            spec.volumeName(),
            claim.getClaimName(),
            source.sourceId(cluster, namespace),
            source.legacySourceId(namespace)));
  }
}
