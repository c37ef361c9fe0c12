package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A snapshot named by what is in the store rather than by a StateSnapshot object: found in the
 * catalog of the SnapshotStore in spec.storeRef, by its id, or as the latest (as of source.asOf) of
 * a source, which may be of another namespace or another cluster. For restoring what a lost cluster
 * left in a bucket without waiting for its import.
 */
@ValidationRule(
    value = "has(self.snapshotId) || has(self.pvcName)",
    message =
        "source.fromStore needs snapshotId (one snapshot) or pvcName (the latest snapshot of that PVC)")
@ValidationRule(
    value =
        "!has(self.path) || (!self.path.startsWith('/') && !self.path.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message =
        "source.fromStore.path must be relative to the volume's root and must not contain '..'")
public record StoreSnapshotRef(
    @Size(max = 64)
        @ValidationRule(
            value = "self.matches('^[0-9]{8}T[0-9]{6}[.][0-9]{3}Z-[0-9a-f]{6}$')",
            message =
                "must be a snapshot id as `strata snapshots` prints it, like 20261201T030000.000Z-1a2b3c")
        @JsonPropertyDescription(
            "The snapshot's id (kubectl strata ls, strata snapshots). With source fields, they must match it.")
        String snapshotId,
    @Size(max = 63)
        @ValidationRule(
            value = Cel.OBJECT_NAME,
            message =
                "must be a cluster id (the operator's clusterId): lower-case letters,"
                    + " digits, '-' and '.', like prod-eu-1")
        @JsonPropertyDescription(
            "The cluster the snapshot was taken in (its operator's clusterId); default: this cluster, whose"
                + " snapshots from before clusters were named count too.")
        String cluster,
    @Size(max = Cel.LABEL_MAX)
        @ValidationRule(value = Cel.DNS_LABEL, message = Cel.DNS_LABEL_MESSAGE)
        @JsonPropertyDescription(
            "The namespace of the PVC the snapshot was taken of; default: this StateRestore's namespace.")
        String namespace,
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("The PVC the snapshot was taken of.")
        String pvcName,
    @JsonPropertyDescription(
            "The directory inside that volume the snapshot was taken of (default: its root).")
        String path) {

  public String normalizedPath() {
    return new SnapshotSource("x", path).normalizedPath();
  }
}
