package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The PVCs of a StatefulSet: those its volumeClaimTemplates make for its replicas, {@code
 * <template>-<statefulset>-<ordinal>} for ordinals 0 to replicas-1, read from the StatefulSet at
 * each run.
 */
public record StatefulSetVolumes(
    @Required
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("The StatefulSet, in the same namespace.")
        String name,
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription(
            "Which of its volumeClaimTemplates (by metadata.name); default: its only one (a StatefulSet with"
                + " several must name one).")
        String volumeClaimTemplate) {}
