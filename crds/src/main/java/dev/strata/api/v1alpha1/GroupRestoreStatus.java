package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** A group restore: the group it resolved to (pinned), and one StateRestore per volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupRestoreStatus(
    @JsonPropertyDescription("The group this restore resolved to at its start; it never changes afterwards.") String name,
    @JsonPropertyDescription("Volumes in the group.") Integer volumes,
    Integer succeeded,
    Integer failed,
    @JsonPropertyDescription("Each volume: its snapshot, the PVC it restores into and the StateRestore doing it.") List<GroupMember> members) {}
