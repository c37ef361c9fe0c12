package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The schema of a status condition, for the CRDs only: statuses hold fabric8's {@code Condition},
 * whose fields carry no descriptions, so {@code @SchemaFrom(type = ConditionSchema[].class)} on a
 * conditions list gives {@code kubectl explain} these instead. Never instantiated.
 */
public record ConditionSchema(
    @JsonPropertyDescription(
            "Ready (usable, or done), Reconciling (work in progress) or Stalled (cannot go on without a"
                + " change by a user); SnapshotStore also has Healthy (the last verification).")
        String type,
    @JsonPropertyDescription("True, False or Unknown.") String status,
    @JsonPropertyDescription(
            "A one-word reason in CamelCase, for filtering and alerts (docs/troubleshooting.md lists them).")
        String reason,
    @JsonPropertyDescription("What happened, for people.") String message,
    @JsonPropertyDescription("When status last changed (RFC 3339).") String lastTransitionTime,
    @JsonPropertyDescription("The metadata.generation of the spec this condition was set for.")
        Long observedGeneration) {}
