package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One group of a schedule: the StateSnapshots of one run, one per volume (label strata.dev/group). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupState(
    @JsonPropertyDescription("The group's name, the value of its snapshots' strata.dev/group label.") String name,
    @JsonPropertyDescription("The run's scheduled time (RFC 3339).") String scheduledTime,
    @JsonPropertyDescription("Running, Succeeded (every volume), PartiallyFailed (some failed) or Failed (all failed).") GroupPhase phase,
    @JsonPropertyDescription("Volumes in the group.") Integer volumes,
    Integer succeeded,
    Integer failed,
    @JsonPropertyDescription("Snapshots still pending or running.") Integer running) {}
