package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * The PVCs of a StatefulSet: those its volumeClaimTemplates make for its replicas, {@code <template>-<statefulset>-<ordinal>}
 * for ordinals 0 to replicas-1, read from the StatefulSet at each run.
 */
public record StatefulSetVolumes(
    @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("The StatefulSet, in the same namespace.") String name,
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Which of its volumeClaimTemplates (by metadata.name); default: its only one (a StatefulSet with"
            + " several must name one).")
        String volumeClaimTemplate) {}
