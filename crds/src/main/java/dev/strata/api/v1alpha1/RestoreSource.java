package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Which snapshot to restore: a StateSnapshot by name, the latest successful snapshot of a schedule
 * or of a source (a PVC and path), optionally the latest as of a point in time, or a snapshot found
 * in a store's catalog without any StateSnapshot object, or a whole group. Exactly one of the five.
 */
@ValidationRule(
    value =
        "(has(self.snapshotName) ? 1 : 0) + (has(self.scheduleName) ? 1 : 0) + (has(self.pvc) ? 1 : 0) + (has(self.fromStore) ? 1 : 0)"
            + " + (has(self.group) ? 1 : 0) == 1",
    message = "source needs exactly one of snapshotName, scheduleName, pvc, fromStore or group")
@ValidationRule(
    value = "!has(self.asOf) || !has(self.group)",
    message = "source.group names one group; it cannot be combined with source.asOf")
@ValidationRule(
    value = "!has(self.pvc) || has(self.pvc.pvcName)",
    message = "source.pvc needs pvcName: the PVC the snapshot was taken of")
@ValidationRule(
    value = "!has(self.asOf) || !has(self.snapshotName)",
    message =
        "source.asOf picks the latest snapshot of a schedule or a pvc; it cannot be combined with snapshotName")
@ValidationRule(
    value = "!has(self.asOf) || !has(self.fromStore) || !has(self.fromStore.snapshotId)",
    message =
        "source.asOf picks the latest snapshot; it cannot be combined with source.fromStore.snapshotId")
public record RestoreSource(
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("A StateSnapshot in this namespace.")
        String snapshotName,
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("The latest successful snapshot of this SnapshotSchedule.")
        String scheduleName,
    @JsonPropertyDescription(
            "The latest successful snapshot of this source (a PVC of this namespace and a path in it), taken in this"
                + " cluster (or before clusters were named).")
        SnapshotSource pvc,
    @Size(max = 64)
        @ValidationRule(value = Cel.RFC3339, message = Cel.RFC3339_MESSAGE)
        @JsonPropertyDescription(
            "With scheduleName, pvc or fromStore: the latest snapshot taken at or before this time (RFC 3339).")
        String asOf,
    @JsonPropertyDescription(
            "A snapshot in the catalog of the SnapshotStore in spec.storeRef, with no StateSnapshot object needed: by"
                + " id, or the latest of a PVC of any namespace or cluster.")
        StoreSnapshotRef fromStore,
    @Size(max = 63)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription(
            "A group (the strata.dev/group label of the StateSnapshots one run of a grouped schedule made, imported"
                + " ones too): every member is restored into the PVC of its own name in this namespace, at the path it was taken of"
                + " (an existing PVC, or one created; spec.target must be left out). Every member must have succeeded.")
        String group) {

  public RestoreSource(String snapshotName, String scheduleName, SnapshotSource pvc, String asOf) {
    this(snapshotName, scheduleName, pvc, asOf, null, null);
  }

  public RestoreSource(
      String snapshotName,
      String scheduleName,
      SnapshotSource pvc,
      String asOf,
      StoreSnapshotRef fromStore) {
    this(snapshotName, scheduleName, pvc, asOf, fromStore, null);
  }
}
