package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * One group: the StateSnapshots one run of a schedule made, one per selected PVC, and how they are
 * doing.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotGroupStatus(
    @JsonPropertyDescription(
            "The group's id, the value of the strata.dev/group label on its StateSnapshots.")
        String name,
    @JsonPropertyDescription("The scheduled time of the run that made it.") String scheduledTime,
    @JsonPropertyDescription(
            "Running while a member runs; Succeeded when every member succeeded; PartiallyFailed when some"
                + " failed and some succeeded; Failed when all failed.")
        String phase,
    @JsonPropertyDescription("Its StateSnapshots.") List<String> members,
    @JsonPropertyDescription("How many PVCs the run selected (the strata.dev/group-size label).")
        Integer size,
    @JsonPropertyDescription("Members that succeeded.") Integer succeeded,
    @JsonPropertyDescription("Members that failed, and those the group should have but lacks.")
        Integer failed,
    @JsonPropertyDescription("Members still running.") Integer running) {}
