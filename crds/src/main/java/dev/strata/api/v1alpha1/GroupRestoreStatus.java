package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * A group restore: one StateRestore per member of the group, each into the PVC of its member's
 * name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupRestoreStatus(
    @JsonPropertyDescription("The group restored.") String group,
    @JsonPropertyDescription(
            "One entry per member: its PVC, its StateSnapshot, the StateRestore that restores it and its phase.")
        List<Member> members,
    @JsonPropertyDescription("Member restores that succeeded.") Integer succeeded,
    @JsonPropertyDescription("Member restores that failed.") Integer failed) {

  /** One member's restore. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Member(
      @JsonPropertyDescription("The PVC restored into (the member's own).") String pvc,
      @JsonPropertyDescription("The member's StateSnapshot.") String snapshotName,
      @JsonPropertyDescription("The StateRestore that restores it.") String restore,
      @JsonPropertyDescription("That StateRestore's phase.") SnapshotPhase phase) {}
}
