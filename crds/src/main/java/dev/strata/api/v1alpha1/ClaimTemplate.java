package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** A PVC the operator creates to restore into. */
public record ClaimTemplate(
    @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("Name of the PVC to create.") String name,
    @JsonPropertyDescription("Storage class; empty means the cluster's default.") String storageClassName,
    @JsonPropertyDescription("Access modes (default ReadWriteOnce).") List<String> accessModes,
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
        @JsonPropertyDescription("Requested size; default: what the snapshot needs plus 10%, at least 1Gi.")
        String size) {}
