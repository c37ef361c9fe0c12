package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/** A PVC the operator creates to restore into. */
public record ClaimTemplate(
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Name of the PVC to create (required, except in a group restore, which names each PVC after its volume).")
        String name,
    @JsonPropertyDescription("Storage class; empty means the cluster's default.") String storageClassName,
    @JsonPropertyDescription("Access modes (default ReadWriteOnce).") List<String> accessModes,
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
        @JsonPropertyDescription("Requested size; default: what the snapshot needs plus 10%, at least 1Gi.")
        String size) {}
