package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What the policy's restores resolved to, per source, and whether the webhook that injects them is
 * serving.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestorePolicyStatus(
    @JsonPropertyDescription(
            "Per source (namespace/pvc/path), the last restore: the snapshot it resolved to, when, by which pod, and its result. The newest 50 sources.")
        List<RestorePolicySource> sources,
    @JsonPropertyDescription(
            "Restores that finished (a snapshot restored, or a fresh start), counted once per pod.")
        Long restoresDone,
    @JsonPropertyDescription(
            "Ready is True when the admission webhook serves with a valid certificate and its configuration is current.")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
        Long observedGeneration) {}
