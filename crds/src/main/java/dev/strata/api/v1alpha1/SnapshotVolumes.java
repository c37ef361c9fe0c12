package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * The PVCs of a whole workload, snapshotted together as one group: those a label selector matches, or those of a
 * StatefulSet's replicas. Each gets a StateSnapshot of its own, with the same path inside each volume.
 */
@ValidationRule(
    value = "has(self.pvcSelector) != has(self.statefulSetName)",
    message = "volumes needs exactly one of pvcSelector (PVCs by label) or statefulSetName (the PVCs of a StatefulSet's replicas)")
@ValidationRule(
    value = "!has(self.claimTemplates) || has(self.statefulSetName)",
    message = "volumes.claimTemplates picks a StatefulSet's volumeClaimTemplates: set volumes.statefulSetName, or remove it")
@ValidationRule(
    value = "!has(self.path) || (!self.path.startsWith('/') && !self.path.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message = "volumes.path must be relative to each volume's root and must not contain '..'")
public record SnapshotVolumes(
    @JsonPropertyDescription("The PVCs of this namespace with these labels, e.g. matchLabels: {app: kafka-streams}. An empty"
        + " selector ({}) matches every PVC of the namespace.")
        LabelSelector pvcSelector,
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("A StatefulSet of this namespace: the PVCs of its replicas (<claim template>-<statefulset>-<ordinal>,"
            + " for each ordinal up to spec.replicas), whether or not they exist yet.")
        String statefulSetName,
    @Size(max = 16)
        @JsonPropertyDescription("With statefulSetName: which of its volumeClaimTemplates (by name); default: all of them.")
        List<String> claimTemplates,
    @JsonPropertyDescription("Directory inside each volume, relative to its root (default: the whole volume).") String path) {}
