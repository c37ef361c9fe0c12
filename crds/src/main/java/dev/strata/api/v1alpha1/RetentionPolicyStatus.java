package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** When a policy was last applied and what it did, per source. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionPolicyStatus(
    @JsonPropertyDescription("When the policy was last applied (RFC 3339).") String lastAppliedTime,
    @JsonPropertyDescription(
            "Per source: snapshots kept, expired (deleted) so far, and the names (at most 20) the next run would expire.")
        List<RetentionSourceStatus> sources,
    @SchemaFrom(type = ConditionSchema[].class)
        @JsonPropertyDescription(
            "Ready, Reconciling and Stalled (kstatus): Ready is True when the policy was applied (reason Applied, or DryRun).")
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
        Long observedGeneration) {}
