package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * How runner pods run: on a SnapshotStore, the defaults of every runner of that store; on a
 * StateSnapshot or a StateRestore, overrides of those defaults field by field (labels and
 * annotations are merged). A pod that must go to the node where a ReadWriteOnce volume is in use
 * goes there whatever nodeSelector says.
 */
@ValidationRule(
    value =
        "!has(self.profile) || self.profile != 'FileOwner' || (!has(self.runAsUser) && !has(self.runAsGroup))",
    message =
        "runAsUser and runAsGroup are for the Restricted profile: FileOwner runs as root with only CHOWN, FOWNER"
            + " and DAC_OVERRIDE; remove them or use profile Restricted")
public record RunnerSpec(
    @JsonPropertyDescription("CPU and memory for the runner container.")
        ResourceRequirements resources,
    @Min(1)
        @JsonPropertyDescription(
            "Restricted profile: the user id the runner runs as (default: that of a pod using the"
                + " volume, else the operator's runner user).")
        Long runAsUser,
    @Min(0) @JsonPropertyDescription("Restricted profile: the group id the runner runs as.")
        Long runAsGroup,
    @JsonPropertyDescription(
            "Restricted (default): non-root, as the workload's user and fsGroup; Pod Security"
                + " 'restricted'. FileOwner: root with only CHOWN, FOWNER and DAC_OVERRIDE, to read every file and restore"
                + " every owner; Pod Security 'baseline'.")
        RunnerProfile profile,
    @JsonPropertyDescription("Tolerations of runner pods, e.g. for tainted database nodes.")
        List<Toleration> tolerations,
    @JsonPropertyDescription(
            "Node labels a runner pod must match (ignored when the volume is in use on a node: the"
                + " pod goes there).")
        Map<String, String> nodeSelector,
    @JsonPropertyDescription("The PriorityClass of runner pods.") String priorityClassName,
    @JsonPropertyDescription("More labels on runner pods (Strata's own labels win).")
        Map<String, String> labels,
    @JsonPropertyDescription(
            "More annotations on runner pods. By default sidecar.istio.io/inject and linkerd.io/inject"
                + " keep service-mesh sidecars out, which would keep a runner Job from finishing.")
        Map<String, String> annotations,
    @JsonPropertyDescription("Secrets for pulling the runner image.")
        List<LocalObjectReference> imagePullSecrets) {

  /** Only resources and user, as before pod settings existed. */
  public static RunnerSpec of(ResourceRequirements resources, Long runAsUser, Long runAsGroup) {
    return new RunnerSpec(
        resources, runAsUser, runAsGroup, null, null, null, null, null, null, null);
  }
}
