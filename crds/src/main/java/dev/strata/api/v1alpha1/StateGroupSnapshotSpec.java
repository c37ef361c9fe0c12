package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The volumes of a workload and the spec of each of their StateSnapshots. */
@ValidationRule(
    value = "!has(self.snapshotTemplate.source)",
    message = "a StateGroupSnapshot takes its PVCs from spec.volumes: remove spec.snapshotTemplate.source")
public record StateGroupSnapshotSpec(
    @Required @JsonPropertyDescription("The PVCs to snapshot: by label selector or by StatefulSet, and the path inside each.")
        SnapshotVolumes volumes,
    @Required @JsonPropertyDescription("The spec of each volume's StateSnapshot (store, hooks, deletionPolicy...), without source.")
        StateSnapshotSpec snapshotTemplate) {}
