package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** The group's volumes, their StateSnapshots and how they are doing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateGroupSnapshotStatus(
    @JsonPropertyDescription("Pending, Running, Succeeded (every volume), PartiallyFailed (some failed) or Failed.") GroupPhase phase,
    @JsonPropertyDescription("The group's name: the strata.dev/group label of its StateSnapshots.") String group,
    @JsonPropertyDescription("Volumes in the group, fixed when its StateSnapshots were created.") Integer volumes,
    Integer succeeded,
    Integer failed,
    @JsonPropertyDescription("Each volume and its StateSnapshot.") List<GroupMember> members,
    String startTime,
    String completionTime,
    List<Condition> conditions,
    Long observedGeneration,
    String message) {}
